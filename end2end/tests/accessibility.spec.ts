import { test, expect, Page, Browser } from "@playwright/test";
import { expectAccessible, expectNoHorizontalScroll } from "./a11y";
import { signIn } from "./helpers";

const ROLES = [
  "coordination@demo.concerto.test",
  "generaliste@demo.concerto.test",
  "psychiatre@demo.concerto.test",
  "infirmier@demo.concerto.test",
  "psychologue@demo.concerto.test",
  "admin@demo.concerto.test",
];


// Every page a person of this role reaches: the navigation's links, then a meeting, its edit
// form and the new-meeting form when they may open them; the first cases of /cas (a case page
// with its avis or avis form, a draft's form) and the new-case form.
async function pagesOf(page: Page): Promise<string[]> {
  const links = await page
    .locator('nav[aria-label="Navigation principale"] a')
    .evaluateAll((anchors) => anchors.map((a) => (a as HTMLAnchorElement).getAttribute("href") ?? ""));
  const pages = new Set(links.filter((href) => href.startsWith("/")));
  if (pages.has("/reunions")) {
    await page.goto("/reunions");
    const meeting = page.locator("a.meeting-title").first();
    if ((await meeting.count()) > 0) {
      const href = (await meeting.getAttribute("href")) as string;
      pages.add(href);
      await page.goto(href);
      if ((await page.getByRole("link", { name: "Modifier" }).count()) > 0) pages.add(`${href}/modifier`);
    }
    // The next staff: its agenda, its session and, for those who may print it, its sign-in sheet.
    await page.goto("/reunions");
    const staff = page.locator("a.meeting-title", { hasText: /^Staff santé mentale CPTS$/ }).first();
    if ((await staff.count()) > 0) {
      const href = (await staff.getAttribute("href")) as string;
      pages.add(`${href}/ordre-du-jour`);
      pages.add(`${href}/seance`);
      pages.add(`${href}/salle`);
      await page.goto(`${href}/seance`);
      if ((await page.getByRole("link", { name: "Feuille d'émargement" }).count()) > 0) pages.add(`${href}/emargement`);
    }
    await page.goto("/reunions");
    if ((await page.getByRole("link", { name: "Nouvelle réunion" }).count()) > 0) pages.add("/reunions/nouvelle");
  }
  if (pages.has("/cas")) {
    await page.goto("/cas");
    const cases = await page
      .locator("a.case-code")
      .evaluateAll((anchors) => [...new Set(anchors.map((a) => (a as HTMLAnchorElement).getAttribute("href") ?? ""))]);
    for (const href of cases.slice(0, 4)) {
      pages.add(href);
      await page.goto(href);
      const draft = page.getByRole("link", { name: "Reprendre le brouillon" });
      if ((await draft.count()) > 0) pages.add((await draft.getAttribute("href")) as string);
    }
    await page.goto("/cas");
    if ((await page.getByRole("link", { name: "Nouvelle demande" }).count()) > 0) pages.add("/cas/nouveau");
  }
  return [...pages];
}

test("pages signed out pass axe-core's WCAG 2.1 A/AA rules", async ({ page }) => {
  for (const path of ["/login", "/mot-de-passe-oublie", "/mot-de-passe/lien-inconnu"]) {
    await page.goto(path);
    await expectAccessible(page, path);
  }
  // A refused sign-in shows its message accessibly too.
  await page.goto("/login");
  await page.getByLabel("Adresse e-mail").fill("personne@example.test");
  await page.getByLabel("Mot de passe").fill("mauvais mot de passe");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page, "refused sign-in");
});

for (const email of ROLES) {
  test(`every page ${email.split("@")[0]} visits passes axe-core`, async ({ browser }) => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, email);
    const paths = await pagesOf(page);
    if (email.startsWith("generaliste@")) {
      // The demo GP has a draft: its case form is checked too.
      expect(paths.filter((p) => /^\/cas\/\d+\/modifier$/.test(p)).length, paths.join(" ")).toBeGreaterThan(0);
    }
    for (const path of paths) {
      await page.goto(path);
      await expectAccessible(page, `${path} as ${email}`);
    }
  });
}

async function checkWidths(browser: Browser, width: number, height: number, what: string) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await signIn(page, "coordination@demo.concerto.test");
  for (const path of await pagesOf(page)) {
    await page.goto(path);
    await expectNoHorizontalScroll(page, `${path} at ${what}`);
  }
  await context.close();
}

test("pages are usable at 360 px wide and at 200 % zoom (no sideways scrolling)", async ({ browser }) => {
  await checkWidths(browser, 360, 740, "360 px");
  // 200 % zoom of a 1280 × 800 screen is a 640 × 400 CSS-pixel viewport.
  await checkWidths(browser, 640, 400, "200 % zoom");
});
