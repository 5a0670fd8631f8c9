// Staff sessions: the coordinator orders the two cases submitted to the next staff and
// publishes; the presenting GP's slot appears in their calendar feed; in the session the
// coordinator marks attendance and moves to the next item while a psychiatrist watching the
// page follows within a second; the sign-in sheet prints.
import { test, expect } from "@playwright/test";
import { hydrated, signIn } from "./helpers";
import { expectAccessible } from "./a11y";

test("the coordinator orders and publishes, runs the session, a watcher follows live, the sheet prints", async ({ browser }) => {
  test.setTimeout(120_000);
  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, "coordination@demo.concerto.test");

  // 1. The next staff → its agenda: the GP's case, then the nurse's (submission order).
  await coordinator.goto("/reunions");
  await coordinator.locator("a.meeting-title", { hasText: /^Staff santé mentale CPTS$/ }).first().click();
  await coordinator.getByRole("link", { name: "Ordre du jour", exact: true }).first().click();
  await expect(coordinator).toHaveURL(/\/reunions\/\d+\/ordre-du-jour$/);
  const agendaUrl = coordinator.url();
  const rows = coordinator.locator("table.agenda-table tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("Dr Julien Moreau");
  await expect(rows.nth(1)).toContainText("Thomas Petit");
  const gpCode = ((await rows.nth(0).locator("td").nth(1).locator("a, span").first().textContent()) ?? "").trim();
  const nurseCode = ((await rows.nth(1).locator("td").nth(1).locator("a, span").first().textContent()) ?? "").trim();
  expect(gpCode).toMatch(/^C-\d{4}-\d+$/);
  await expect(coordinator.getByText("Non publié")).toBeVisible();
  await expectAccessible(coordinator, "agenda (coordinator)");

  // 2. The nurse's case first; 20 then 25 minutes; publish.
  await coordinator.getByRole("button", { name: `Monter ${nurseCode}` }).click();
  await expect(rows.nth(0)).toContainText("Thomas Petit");
  await coordinator.getByLabel(`Durée de ${nurseCode} (minutes)`).fill("20");
  await coordinator.getByLabel(`Durée de ${gpCode} (minutes)`).fill("25");
  await coordinator.getByRole("button", { name: "Publier l'ordre du jour" }).click();
  await expect(coordinator.getByRole("status").filter({ hasText: "Ordre du jour publié" })).toBeVisible();
  await expect(coordinator.locator(".published")).toContainText("Publié le");
  await expect(rows.nth(0)).toContainText("12h30 – 12h50");
  await expect(rows.nth(1)).toContainText("12h50 – 13h15");

  // 3. The GP's own slot is in their calendar feed (12:50, 25 minutes), linked to the meeting.
  const gp = await (await browser.newContext()).newPage();
  await signIn(gp, "generaliste@demo.concerto.test");
  const feed = await (await gp.request.get("/me/calendar.ics")).text();
  const slot = feed.split("BEGIN:VEVENT").find((event) => event.includes(`SUMMARY:Mon cas ${gpCode}`));
  expect(slot, feed).toBeTruthy();
  expect(slot).toMatch(/DTSTART;TZID=Europe\/Paris:\d{8}T125000/);
  expect(slot).toMatch(/DTEND;TZID=Europe\/Paris:\d{8}T131500/);
  expect(slot).toContain("RELATED-TO:");
  // The GP reads the agenda and sees when their case comes up.
  await gp.goto(agendaUrl);
  await expect(gp.locator(".my-slots")).toContainText(`Votre cas ${gpCode} : 12h50 – 13h15`);

  // 4. The session: a psychiatrist watches the page.
  const sessionUrl = agendaUrl.replace(/ordre-du-jour$/, "seance");
  const psy = await (await browser.newContext()).newPage();
  await signIn(psy, "psychiatre@demo.concerto.test");
  await psy.goto(sessionUrl);
  await hydrated(psy);
  await expect(psy.locator(".current-item")).toHaveText("La séance n'a pas commencé.");
  await expect(psy.locator(".presence")).toContainText("Présent·es : 0");

  await coordinator.getByRole("navigation", { name: "Cette réunion" }).getByRole("link", { name: "Séance" }).click();
  await expect(coordinator).toHaveURL(/\/seance$/);
  await expectAccessible(coordinator, "session (coordinator)");
  await coordinator.getByRole("button", { name: "Présent·e : Dr Sophie Laurent" }).click();
  await expect(coordinator.getByRole("status").filter({ hasText: "Présence enregistrée" })).toBeVisible();
  await expect(psy.locator(".presence")).toContainText("Présent·es : 1", { timeout: 1_000 });

  await coordinator.getByRole("button", { name: "Point suivant →" }).click();
  await expect(coordinator.getByRole("status").filter({ hasText: "Point en cours mis à jour" })).toBeVisible();
  await expect(psy.locator(".current-item")).toContainText(`En cours : ${nurseCode}`, { timeout: 1_000 });
  await expect(psy.locator("li.current")).toContainText(nurseCode);
  await coordinator.getByRole("button", { name: "Point suivant →" }).click();
  await expect(psy.locator(".current-item")).toContainText(`En cours : ${gpCode}`, { timeout: 1_000 });
  await expectAccessible(psy, "session (watcher)");

  // 5. The sign-in sheet, generated from the attendance, prints.
  await coordinator.getByRole("link", { name: "Feuille d'émargement" }).click();
  await expect(coordinator.getByRole("heading", { name: "Feuille d'émargement" })).toBeVisible();
  const line = coordinator.locator("table.sheet tr", { hasText: "Dr Sophie Laurent" });
  await expect(line).toContainText("Présent·e");
  await expect(line).toContainText("Psychiatrie");
  await expectAccessible(coordinator, "sign-in sheet");
  await hydrated(coordinator);
  await coordinator.evaluate(() => { (window as any).__printed = false; window.print = () => { (window as any).__printed = true; }; });
  await coordinator.getByRole("button", { name: "Imprimer la feuille d'émargement" }).click();
  await expect.poll(() => coordinator.evaluate(() => (window as any).__printed)).toBe(true);
  await coordinator.emulateMedia({ media: "print" });
  await expect(coordinator.locator("table.sheet")).toBeVisible();
  await expect(coordinator.getByRole("button", { name: "Imprimer la feuille d'émargement" })).not.toBeVisible();
});
