import { test, expect } from "@playwright/test";

test("Vérifier un texte highlights a phone number as it is typed and replaces it in one click", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Adresse e-mail").fill("generaliste@demo.concerto.test");
  await page.getByLabel("Mot de passe").fill("concerto-demo");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/\/agenda$/);

  await page.getByRole("link", { name: "Vérifier un texte" }).click();
  await page.waitForFunction(() => (window as any).__concertoHydrated === true);
  const area = page.getByLabel("Texte à vérifier");

  // Clean clinical text: no highlight.
  await area.pressSequentially("Patiente de 54 ans sous Seroplex 10 mg, PHQ-9 à 16. Maladie de Parkinson.", { delay: 5 });
  await expect(page.getByText("Aucun identifiant direct repéré.")).toBeVisible();
  await expect(page.locator("mark.pii")).toHaveCount(0);

  // A phone number is highlighted within a second.
  await area.pressSequentially(" Rappeler au 06 12 34 56 78.", { delay: 5 });
  const mark = page.locator("mark.pii[data-kind=PHONE]");
  await expect(mark).toBeVisible({ timeout: 1000 });
  await expect(mark).toContainText("06 12 34 56 78");
  await expect(mark).toContainText("Téléphone");

  // One click replaces it.
  await page.getByRole("button", { name: "Remplacer par [TÉLÉPHONE] : « 06 12 34 56 78 »" }).click();
  await expect(area).toHaveValue(/Rappeler au \[TÉLÉPHONE\]\./);
  await expect(page.locator("mark.pii")).toHaveCount(0);
  await expect(page.getByText("Aucun identifiant direct repéré.")).toBeVisible();

  // The text is a draft: it survives a reload, and is checked again.
  await area.pressSequentially(" Mme Benali, née le 03/04/1961.", { delay: 5 });
  await expect(page.locator("mark.pii[data-kind=BIRTHDATE]")).toBeVisible();
  await page.reload();
  await page.waitForFunction(() => (window as any).__concertoHydrated === true);
  await expect(page.getByLabel("Texte à vérifier")).toHaveValue(/Rappeler au \[TÉLÉPHONE\]\. Mme Benali/);
  await expect(page.locator("mark.pii[data-kind=BIRTHDATE]")).toBeVisible();
});

test("the name lists load after the page is interactive, then names without a title are flagged", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Adresse e-mail").fill("generaliste@demo.concerto.test");
  await page.getByLabel("Mot de passe").fill("concerto-demo");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/\/agenda$/);

  // Not part of the first load: fetched once the editor is interactive.
  const lists = page.waitForResponse((r) => r.url().endsWith("/pkg/pii-names.txt") && r.ok());
  await page.goto("/verifier");
  await page.waitForFunction(() => (window as any).__concertoHydrated === true);
  await lists;
  const area = page.getByLabel("Texte à vérifier");
  await area.fill("");
  await area.pressSequentially("Vu hier avec Karima Benali et son frère.", { delay: 5 });
  await expect(page.locator("mark.pii[data-kind=NAME]")).toContainText("Karima Benali");
});
