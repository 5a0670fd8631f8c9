// Each territory's words: a nurse marks a highlighted name "Pas un identifiant" (a CMP team named
// after a person); the coordinator accepts the proposal on "Mots du territoire"; the passage is
// no longer flagged for that organisation.
import { test, expect } from "@playwright/test";
import { hydrated, signIn } from "./helpers";
import { expectAccessible } from "./a11y";

const TEXT = "Adressée à l'équipe Françoise Dolto pour un suivi.";

test("a passage marked “pas un identifiant” is no longer flagged once the coordinator accepts it", async ({ browser }) => {
  const nurse = await (await browser.newContext()).newPage();
  await signIn(nurse, "infirmier@demo.concerto.test");
  await nurse.getByRole("link", { name: "Vérifier un texte" }).click();
  await hydrated(nurse);
  const area = nurse.getByLabel("Texte à vérifier");
  await area.fill(TEXT);
  await expect(nurse.locator("mark.pii[data-kind=NAME]")).toContainText("Françoise Dolto");
  await nurse.getByRole("button", { name: "Pas un identifiant : « Françoise Dolto »" }).click();
  await expect(nurse.locator(".pii-proposed")).toContainText("proposé à la coordination");
  // Still flagged until the coordinator agrees.
  await expect(nurse.locator("mark.pii[data-kind=NAME]")).toHaveCount(1);

  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, "coordination@demo.concerto.test");
  await coordinator.getByRole("link", { name: "Mots du territoire" }).click();
  await expect(coordinator).toHaveURL(/\/territoire$/);
  const proposals = coordinator.locator("section", { has: coordinator.getByRole("heading", { name: "Propositions à examiner" }) });
  await expect(proposals.getByRole("listitem")).toContainText("Françoise Dolto");
  await expect(proposals.getByRole("listitem")).toContainText("proposé par Thomas Petit");
  await expectAccessible(coordinator, "territory words");
  await coordinator.getByRole("button", { name: "Accepter « Françoise Dolto »" }).click();
  await expect(coordinator.getByRole("status").filter({ hasText: "Proposition acceptée" })).toBeVisible();
  const allowed = coordinator.locator("section", { has: coordinator.getByRole("heading", { name: "Ne pas signaler" }) });
  await expect(allowed.getByRole("listitem")).toContainText("Françoise Dolto");

  // The nurse's page, reloaded: the same text is clean.
  await nurse.reload();
  await hydrated(nurse);
  await nurse.getByLabel("Texte à vérifier").fill(`${TEXT} `);
  await expect(nurse.getByText("Aucun identifiant direct repéré.")).toBeVisible();
  await expect(nurse.locator("mark.pii")).toHaveCount(0);

  // Taken off the list again (the demo stays as it was for other journeys).
  await coordinator.getByRole("button", { name: "Retirer « Françoise Dolto »" }).click();
  await expect(coordinator.getByRole("status").filter({ hasText: "Mot retiré" })).toBeVisible();
});
