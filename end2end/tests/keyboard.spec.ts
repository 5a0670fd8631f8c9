import { test, expect, Page, Locator } from "@playwright/test";

// A journey with the keyboard alone: Tab / Shift+Tab to move, Enter to act, typing to fill. At
// every step the focused element must show a visible focus indicator, and the target must be
// reachable (no trap). The nurse's account: no other journey answers its invitations. Pages
// without islands are plain HTML (nothing to wait for); "Vérifier un texte" is an island.
const EMAIL = "infirmier@demo.concerto.test";
const PASSWORD = "concerto-demo";

async function expectVisibleFocus(page: Page) {
  const focus = await page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body || element.id === "contenu") return null;
    const style = getComputedStyle(element);
    return {
      element: `${element.tagName.toLowerCase()} ${element.textContent?.trim().slice(0, 40) ?? ""}`,
      visible:
        (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none",
    };
  });
  if (focus) expect(focus.visible, `visible focus on ${focus.element}`).toBe(true);
}

/** Presses Tab (or Shift+Tab) until `target` has the focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, backward = false, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(backward ? "Shift+Tab" : "Tab");
    await expectVisibleFocus(page);
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) return;
  }
  throw new Error(`not reachable with the keyboard: ${target}`);
}

test("sign in, open a meeting, answer, check a text and sign out with the keyboard alone", async ({ page }) => {
  await page.goto("/login");

  // The skip link comes first and moves the focus to the main content.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Aller au contenu" })).toBeFocused();
  await expectVisibleFocus(page);

  // Sign in.
  await tabTo(page, page.getByLabel("Adresse e-mail"));
  await page.keyboard.type(EMAIL);
  await tabTo(page, page.getByLabel("Mot de passe"));
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/agenda$/);

  // The skip link jumps over the navigation.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Aller au contenu" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  const insideMain = await page.evaluate(() => !!document.activeElement?.closest("#contenu"));
  expect(insideMain, "after the skip link, Tab goes into the main content").toBe(true);

  // Open the RCP from the agenda and answer the invitation.
  const link = page.locator("#contenu a", { hasText: "RCP psychiatrie" }).first();
  await tabTo(page, link);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/reunions\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("RCP psychiatrie");
  await tabTo(page, page.getByRole("button", { name: "Peut-être" }).first());
  await page.keyboard.press("Enter");
  await expect(page.getByText("Réponse enregistrée.")).toBeVisible();
  await expect(page.locator(".my-response")).toHaveText("Peut-être");

  // "Vérifier un texte": type, then replace the finding with the keyboard.
  await tabTo(page, page.getByRole("link", { name: "Vérifier un texte" }), true);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/verifier$/);
  await page.waitForFunction(() => (window as any).__concertoHydrated === true);
  await tabTo(page, page.getByLabel("Texte à vérifier"));
  await page.keyboard.type("Patient de 40 ans. Rappeler au 06 12 34 56 78.", { delay: 5 });
  await expect(page.locator("mark.pii[data-kind=PHONE]")).toBeVisible();
  await tabTo(page, page.getByRole("button", { name: "Remplacer par [TÉLÉPHONE] : « 06 12 34 56 78 »" }));
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("Texte à vérifier")).toHaveValue(/Rappeler au \[TÉLÉPHONE\]\./);

  // Sign out.
  await tabTo(page, page.getByRole("button", { name: "Se déconnecter" }), true);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/login\?info=signed_out$/);
});
