import { test, expect, Page } from "@playwright/test";
import * as fs from "fs";
import { signIn } from "./helpers";



// The second Tuesday of the month after next, as YYYY-MM-DD.
function secondTuesdayInTwoMonths(): string {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
  const offset = (2 - first.getUTCDay() + 7) % 7; // Tuesday = 2
  const day = 1 + offset + 7;
  const date = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), day));
  return date.toISOString().slice(0, 10);
}

// The first 2nd Tuesday of a month at least `days` days from today, as YYYY-MM-DD.
function secondTuesdayAtLeast(days: number): string {
  const now = new Date();
  const soon = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days));
  for (let month = 0; ; month++) {
    const first = new Date(Date.UTC(soon.getUTCFullYear(), soon.getUTCMonth() + month, 1));
    const offset = (2 - first.getUTCDay() + 7) % 7; // Tuesday = 2
    const date = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1 + offset + 7));
    if (date >= soon) return date.toISOString().slice(0, 10);
  }
}

test("a coordinator plans a bimonthly staff, a GP accepts, the coordinator sees it", async ({ browser }) => {
  const title = `Staff bimestriel ${Date.now()}`;
  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, "coordination@demo.concerto.test");

  await coordinator.getByRole("link", { name: "Réunions" }).click();
  await coordinator.getByRole("link", { name: "Nouvelle réunion" }).click();
  await expect(coordinator.getByRole("heading", { name: "Nouvelle réunion" })).toBeVisible();
  await coordinator.getByLabel("Titre").fill(title);
  await coordinator.locator("#f-draft-date").fill(secondTuesdayInTwoMonths());
  await coordinator.locator("#f-draft-start_time").fill("12:30");
  await coordinator.locator("#f-draft-end_time").fill("14:00");
  await coordinator.getByLabel("Répétition").selectOption("monthly_nth_weekday");
  await coordinator.getByLabel("Tous les … (semaines ou mois)").fill("2");
  await coordinator.getByLabel("Fin de la série").selectOption("count");
  await coordinator.getByLabel("Nombre de séances").fill("6");
  await coordinator.getByRole("button", { name: "Créer la réunion" }).click();
  await expect(coordinator).toHaveURL(/\/reunions\/\d+$/);
  await expect(coordinator.getByRole("heading", { level: 1 })).toContainText(title);
  await expect(coordinator.getByText("le 2e mardi, tous les 2 mois")).toBeVisible();

  for (const person of ["Dr Julien Moreau", "Dr Sophie Laurent"]) {
    const option = coordinator.locator("#invite-user option", { hasText: person });
    await coordinator.locator("#invite-user").selectOption(await option.getAttribute("value") as string);
    await coordinator.getByRole("button", { name: "Inviter", exact: true }).click();
    await expect(coordinator.locator("table.invitees")).toContainText(person);
  }
  const meetingUrl = coordinator.url();

  const gp = await (await browser.newContext()).newPage();
  await signIn(gp, "generaliste@demo.concerto.test");
  await expect(gp.getByRole("heading", { name: "Mon agenda" })).toBeVisible();
  const item = gp.locator(".agenda-item", { hasText: title }).first();
  await expect(item).toBeVisible();
  await item.getByRole("button", { name: "Accepter" }).click();
  await expect(gp.locator(".agenda-item", { hasText: title }).first().locator(".tag.rsvp-accepted")).toBeVisible();

  await coordinator.goto(meetingUrl);
  const row = coordinator.locator("table.invitees tr", { hasText: "Dr Julien Moreau" });
  await expect(row).toContainText("Accepte");

  const [download] = await Promise.all([
    coordinator.waitForEvent("download"),
    coordinator.getByRole("link", { name: "Ajouter à mon agenda (.ics)" }).click(),
  ]);
  const path = await download.path();
  const ics = fs.readFileSync(path as string, "utf8");
  expect(ics).toContain("BEGIN:VCALENDAR");
  expect(ics).toContain("RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;COUNT=6");
  expect(ics).toContain("TZID=Europe/Paris");
});

test("a refused form keeps what was typed and says why in French", async ({ page }) => {
  await signIn(page, "coordination@demo.concerto.test");
  await page.goto("/reunions/nouvelle");
  await page.waitForFunction(() => (window as any).__concertoHydrated === true);
  await page.getByLabel("Titre").fill("Réunion mal saisie");
  await page.locator("#f-draft-date").fill(secondTuesdayAtLeast(60));
  await page.locator("#f-draft-start_time").fill("14:00");
  await page.locator("#f-draft-end_time").fill("13:00");
  await page.getByRole("button", { name: "Créer la réunion" }).click();
  await expect(page.getByText("L'heure de fin doit être après l'heure de début.").first()).toBeVisible();
  await expect(page.getByLabel("Titre")).toHaveValue("Réunion mal saisie");
  await expect(page).toHaveURL(/\/reunions\/nouvelle$/);
});

test("a meeting draft survives a reload", async ({ page }) => {
  await signIn(page, "coordination@demo.concerto.test");
  await page.goto("/reunions/nouvelle");
  await page.waitForFunction(() => (window as any).__concertoHydrated === true);
  await page.getByLabel("Titre").fill("Brouillon de staff");
  const date = secondTuesdayAtLeast(180);
  await page.locator("#f-draft-date").fill(date);
  await page.reload();
  await page.waitForFunction(() => (window as any).__concertoHydrated === true);
  await expect(page.getByText("Brouillon restauré")).toBeVisible();
  await expect(page.getByLabel("Titre")).toHaveValue("Brouillon de staff");
  await expect(page.locator("#f-draft-date")).toHaveValue(date);
});

test("a possible identifier is shown lighter and saved only once confirmed", async ({ page }) => {
  await signIn(page, "coordination@demo.concerto.test");
  await page.goto("/reunions/nouvelle");
  await page.waitForFunction(() => (window as any).__concertoHydrated === true);
  await page.getByLabel("Titre").fill("Staff à confirmer");
  await page.locator("#f-draft-date").fill(secondTuesdayAtLeast(120));
  await page.getByLabel("Répétition").selectOption("none");
  const description = page.getByLabel("Description (Markdown)");
  await description.pressSequentially("Cas présenté : madame blanc de peur depuis l'accident.", { delay: 5 });
  // Weak evidence: highlighted in the lighter style, counted as "à vérifier".
  const mark = page.locator("mark.pii.pii-possible[data-kind=NAME]");
  await expect(mark).toContainText("madame blanc");
  await expect(mark).toContainText("possible");
  await expect(page.getByText(/1 passage à vérifier/)).toBeVisible();
  // The server asks for a confirmation, keeping what was typed.
  await page.getByRole("button", { name: "Créer la réunion" }).click();
  const confirm = page.getByLabel("Je confirme que les passages signalés comme « possibles » ne sont pas des identifiants");
  await expect(confirm).toBeVisible();
  await expect(page.getByText(/contient peut-être un identifiant direct/).first()).toBeVisible();
  await expect(description).toHaveValue(/madame blanc de peur/);
  await confirm.check();
  await page.getByRole("button", { name: "Créer la réunion" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Staff à confirmer");
});
