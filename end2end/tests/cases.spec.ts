// Cases and written advice: a GP writes a written request (autosaved, identifiers replaced),
// submits it; a psychiatrist takes it and signs an avis; the GP reads and prints it.
import { test, expect } from "@playwright/test";
import { hydrated, signIn } from "./helpers";
import { expectAccessible } from "./a11y";

// What the GP types, field by field (text areas and the age input, by their label).
const TEXTS: [string, string][] = [
  ["Question posée, en une phrase", "Faut-il changer d'antidépresseur après deux essais partiels ?"],
  ["Motif de la demande", "Épisode dépressif qui ne répond que partiellement au traitement."],
  ["Âge", "45-54"],
  ["Traitement actuel et essais antérieurs", "Sertraline 100 mg depuis 8 semaines ; escitalopram 10 mg arrêté (nausées)."],
  ["Ce que vous attendez du psychiatre", "Un choix de molécule et une posologie."],
];
const SYMPTOMS = "Humeur triste, insomnie, perte d'élan depuis quatre mois.";
// PHQ-9 items 1–8 answered (item → answer 0–3); item 9 (suicidal thoughts) left blank.
const PHQ9: [number, number][] = [[1, 2], [2, 3], [3, 2], [4, 1], [5, 0], [6, 1], [7, 2], [8, 0]];

test("a GP writes a written request, a psychiatrist signs the avis, the GP reads and prints it", async ({ browser }) => {
  test.setTimeout(120_000);
  const gp = await (await browser.newContext()).newPage();
  await signIn(gp, "generaliste@demo.concerto.test");

  // 1. "Cas" → "Nouvelle demande" → a written request (the default) → the case form.
  await gp.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: "Cas", exact: true }).click();
  await expect(gp).toHaveURL(/\/cas$/);
  await expect(gp.getByRole("heading", { name: "Cas et demandes d'avis" })).toBeVisible();
  await gp.getByRole("link", { name: "Nouvelle demande" }).click();
  await expect(gp).toHaveURL(/\/cas\/nouveau$/);
  await expect(gp.getByRole("radio", { name: /demande d'avis écrit/ })).toBeChecked();
  await gp.getByRole("button", { name: "Commencer la rédaction" }).click();
  await expect(gp).toHaveURL(/\/cas\/\d+\/modifier$/);
  const formUrl = gp.url();
  const caseUrl = formUrl.replace(/\/modifier$/, "");
  const code = ((await gp.locator("h1 .case-code").textContent()) ?? "").trim();
  expect(code).toMatch(/^C-\d{4}-\d+$/);
  await hydrated(gp);

  // 2. The form. Nothing required is filled yet.
  const completeness = gp.locator("section.completeness");
  await expect(completeness.getByRole("heading", { level: 2 })).toHaveText("À compléter");
  await gp.getByLabel("Avis pharmacologique", { exact: true }).check();
  for (const [label, text] of TEXTS) await gp.getByLabel(label, { exact: true }).fill(text);
  await expect(completeness.getByRole("heading", { level: 2 })).toHaveText("À compléter");
  await gp.getByLabel("Sexe", { exact: true }).selectOption({ label: "Femme" });
  // Every required item is there (recommended ones may still be listed).
  await expect(completeness.getByRole("heading", { level: 2 })).toHaveText("Prêt");
  await expect(completeness.locator("li.required")).toHaveCount(0);
  for (const [item, answer] of PHQ9) await gp.locator(`#f-phq9-${item}-${answer}`).check();

  // A phone number in the symptoms is highlighted, then replaced in one click.
  const symptoms = gp.getByLabel("Symptômes et évolution", { exact: true });
  await symptoms.pressSequentially(`${SYMPTOMS} Joignable au 06 12 34 56 78.`, { delay: 5 });
  const mark = gp.locator("mark.pii[data-kind=PHONE]");
  await expect(mark).toBeVisible();
  await expect(mark).toContainText("06 12 34 56 78");
  await expect(mark).toContainText("Téléphone");
  await expectAccessible(gp, "the case form with a highlighted identifier");
  // The text without the number is saved by itself a moment later (no button pressed).
  const saved = gp.waitForResponse((r) => r.url().endsWith("/api/cases/save") && r.ok());
  await gp.getByRole("button", { name: "Remplacer par [TÉLÉPHONE] : « 06 12 34 56 78 »" }).click();
  await expect(symptoms).toHaveValue(`${SYMPTOMS} Joignable au [TÉLÉPHONE].`);
  await expect(gp.locator("mark.pii")).toHaveCount(0);

  // 3. After a reload (without the browser's copy) every value comes back from the server.
  await saved;
  await expect(gp.getByRole("status").filter({ hasText: /^Enregistré à/ })).toBeVisible();
  await gp.evaluate(() => window.localStorage.clear());
  await gp.reload();
  await hydrated(gp);
  await expect(gp.getByText("Brouillon restauré")).toHaveCount(0);
  await expect(gp.getByLabel("Avis pharmacologique", { exact: true })).toBeChecked();
  await expect(gp.getByLabel("Avis diagnostique", { exact: true })).not.toBeChecked();
  for (const [label, text] of TEXTS) await expect(gp.getByLabel(label, { exact: true })).toHaveValue(text);
  await expect(gp.getByLabel("Sexe", { exact: true }).locator("option:checked")).toHaveText("Femme");
  await expect(symptoms).toHaveValue(`${SYMPTOMS} Joignable au [TÉLÉPHONE].`);
  for (const [item, answer] of PHQ9) await expect(gp.locator(`#f-phq9-${item}-${answer}`)).toBeChecked();
  await expect(gp.locator("input[name='case[items][phq9-9]']:checked")).toHaveCount(0);
  await expect(completeness.getByRole("heading", { level: 2 })).toHaveText("Prêt");

  // 4. Submitted: the case page says so, and the request waits for a psychiatrist.
  await gp.getByRole("button", { name: "Soumettre" }).click();
  await expect(gp).toHaveURL(new RegExp(`${caseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\?ok=soumis)?$`));
  await expect(gp.getByText(/^Cas soumis/)).toBeVisible();
  await expect(gp.locator(".case-status")).toHaveText("En attente");
  await expect(gp.locator(".explicit-question")).toHaveText(TEXTS[0][1]);

  // 5. The psychiatrist finds it among the organisation's cases, takes it and signs an avis.
  const psy = await (await browser.newContext()).newPage();
  await signIn(psy, "psychiatre@demo.concerto.test");
  await psy.goto("/cas");
  const organisation = psy.locator("section", { has: psy.getByRole("heading", { name: "Cas de l'organisation" }) });
  const line = organisation.locator("tr.case-line", { hasText: code });
  await expect(line).toContainText("En attente");
  await line.getByRole("link", { name: code }).click();
  await expect(psy).toHaveURL(caseUrl);
  await psy.getByRole("button", { name: "Je prends cette demande" }).click();
  await expect(psy.getByText("Demande prise en charge")).toBeVisible();
  await hydrated(psy);
  const diagnostic = "Épisode dépressif caractérisé d'intensité modérée, résistance partielle.";
  const pharmacological = "Passer à la venlafaxine 75 mg, puis 150 mg à J15 ; surveiller la tension.";
  await psy.getByLabel("Avis diagnostique", { exact: true }).fill(diagnostic);
  await psy.getByLabel("Avis pharmacologique", { exact: true }).fill(pharmacological);
  await psy.getByLabel("Patient·e informé·e et consentant·e (télé-expertise)").check();
  await psy.getByRole("button", { name: "Signer l'avis" }).click();
  await expect(psy.getByRole("heading", { name: "Avis (version 1)" })).toBeVisible();
  await expect(psy.locator(".advice-version .signature")).toContainText("Signé par Dr Sophie Laurent");
  await expect(psy.locator(".advice-version")).toContainText(pharmacological);
  // Printed from here, the letter leaves out the correction form.
  await expect(psy.locator(".advice-form")).toBeVisible();
  await psy.emulateMedia({ media: "print" });
  await expect(psy.locator(".advice-form")).not.toBeVisible();
  await expect(psy.locator(".advice-version")).toBeVisible();

  // 6. The GP's list shows the request answered; the case page shows the avis, and prints it
  // without the navigation, the actions or the thread.
  await gp.goto("/cas");
  const mine = gp.locator("section", { has: gp.getByRole("heading", { name: "Mes demandes" }) });
  const myLine = mine.locator("tr.case-line", { hasText: code });
  await expect(myLine).toContainText("Répondue");
  await myLine.getByRole("link", { name: code }).click();
  await expect(gp).toHaveURL(caseUrl);
  const advice = gp.locator(".advice-version");
  await expect(advice.getByRole("heading", { name: "Avis (version 1)" })).toBeVisible();
  await expect(advice).toContainText("Signé par Dr Sophie Laurent");
  await expect(advice).toContainText(diagnostic);
  await expect(advice).toContainText(pharmacological);
  await expect(gp.getByRole("button", { name: "Imprimer le courrier" })).toBeVisible();
  // The button opens the browser's print dialog (stubbed here).
  await hydrated(gp);
  await gp.evaluate(() => { (window as any).__printed = false; window.print = () => { (window as any).__printed = true; }; });
  await gp.getByRole("button", { name: "Imprimer le courrier" }).click();
  await expect.poll(() => gp.evaluate(() => (window as any).__printed)).toBe(true);
  await gp.emulateMedia({ media: "print" });
  await expect(advice).toBeVisible();
  await expect(advice).toContainText(pharmacological);
  await expect(gp.locator(".explicit-question")).toBeVisible();
  await expect(gp.locator(".topbar")).not.toBeVisible();
  await expect(gp.getByRole("button", { name: "Imprimer le courrier" })).not.toBeVisible();
  const noPrint = gp.locator(".no-print");
  expect(await noPrint.count()).toBeGreaterThan(0);
  for (const hidden of await noPrint.all()) await expect(hidden).not.toBeVisible();
  await gp.emulateMedia({ media: "screen" });
  await expect(gp.locator(".topbar")).toBeVisible();
});

test("what is typed after the session expired is kept in the browser and saved once signed in again", async ({ browser }) => {
  const context = await browser.newContext();
  const gp = await context.newPage();
  await signIn(gp, "generaliste@demo.concerto.test");
  await gp.goto("/cas/nouveau");
  await gp.getByRole("button", { name: "Commencer la rédaction" }).click();
  await expect(gp).toHaveURL(/\/cas\/\d+\/modifier$/);
  const formUrl = gp.url();
  await hydrated(gp);

  // The session ends (cookies gone), then the GP keeps typing.
  await context.clearCookies();
  const reason = "Anxiété envahissante depuis la perte d'emploi, sommeil très perturbé.";
  await gp.getByLabel("Motif de la demande", { exact: true }).fill(reason);
  await expect(gp.getByRole("status").filter({ hasText: "votre session a expiré" })).toBeVisible();

  // Signed in again, the form comes back with the text, which is then saved on the server.
  await signIn(gp, "generaliste@demo.concerto.test");
  await gp.goto(formUrl);
  await hydrated(gp);
  await expect(gp.getByText("Brouillon restauré")).toBeVisible();
  await expect(gp.getByLabel("Motif de la demande", { exact: true })).toHaveValue(reason);
  await expect(gp.getByRole("status").filter({ hasText: /^Enregistré à/ })).toBeVisible();
  await gp.evaluate(() => window.localStorage.clear());
  await gp.reload();
  await expect(gp.getByLabel("Motif de la demande", { exact: true })).toHaveValue(reason);
});
