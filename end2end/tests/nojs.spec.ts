import { test, expect } from "@playwright/test";

// Forms work without JavaScript (locked-down hospital browsers, slow connections): every page is
// rendered on the server and every form posts to the server, which answers with a page.
test.use({ javaScriptEnabled: false });

const PASSWORD = "concerto-demo";

test("without JavaScript: sign in, create a meeting, answer an invitation", async ({ browser }) => {
  const coordinator = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await coordinator.goto("/login");
  await coordinator.getByLabel("Adresse e-mail").fill("coordination@demo.concerto.test");
  await coordinator.getByLabel("Mot de passe").fill(PASSWORD);
  await coordinator.getByRole("button", { name: "Se connecter" }).click();
  await expect(coordinator).toHaveURL(/\/agenda$/);

  // A one-off RCP in ten days, created with the plain form.
  const title = `RCP sans JavaScript ${Date.now()}`;
  const day = new Date(Date.now() + 10 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await coordinator.goto("/reunions/nouvelle");
  await coordinator.getByLabel("Type de réunion").selectOption("rcp");
  await coordinator.getByLabel("Titre").fill(title);
  await coordinator.locator("#f-draft-date").fill(day);
  await coordinator.locator("#f-draft-start_time").fill("18:00");
  await coordinator.locator("#f-draft-end_time").fill("19:00");
  await coordinator.getByLabel("Répétition").selectOption("none");
  await coordinator.getByRole("button", { name: "Créer la réunion" }).click();
  await expect(coordinator).toHaveURL(/\/reunions\/\d+$/);
  await expect(coordinator.getByRole("heading", { level: 1 })).toContainText(title);

  // Invite the psychiatrist, still without JavaScript.
  const option = coordinator.locator("#invite-user option", { hasText: "Dr Sophie Laurent" });
  await coordinator.locator("#invite-user").selectOption((await option.getAttribute("value")) as string);
  await coordinator.getByRole("button", { name: "Inviter", exact: true }).click();
  await expect(coordinator.getByText("Invitation envoyée.")).toBeVisible();
  await expect(coordinator.locator("table.invitees")).toContainText("Dr Sophie Laurent");
  const meetingUrl = coordinator.url().split("?")[0];

  // The psychiatrist answers from the meeting page.
  const psychiatrist = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await psychiatrist.goto("/login");
  await psychiatrist.getByLabel("Adresse e-mail").fill("psychiatre@demo.concerto.test");
  await psychiatrist.getByLabel("Mot de passe").fill(PASSWORD);
  await psychiatrist.getByRole("button", { name: "Se connecter" }).click();
  await expect(psychiatrist).toHaveURL(/\/agenda$/);
  await psychiatrist.goto(meetingUrl);
  await psychiatrist.getByRole("button", { name: "Accepter" }).first().click();
  await expect(psychiatrist.getByText("Réponse enregistrée.")).toBeVisible();
  await expect(psychiatrist.locator(".my-response")).toHaveText("Accepte");
});
