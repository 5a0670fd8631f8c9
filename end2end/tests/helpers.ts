// Shared steps of the browser journeys.
import { expect, Page } from "@playwright/test";

/** The password of every demo account. */
export const DEMO_PASSWORD = "concerto-demo";

/** Signs in with the sign-in form and lands on "Mon agenda". */
export async function signIn(page: Page, email: string, password: string = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/\/agenda$/);
}

/** Waits until every island of the page is interactive (a page without its browser code fails
 * here, with the reason, rather than at the test's time limit). */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__concertoHydrated === true, undefined, { timeout: 20_000 }).catch(async () => {
    const scripts = await page.locator("script[src]").count();
    const islands = await page.locator("leptos-island").count();
    throw new Error(`${page.url()} is not interactive: ${islands} island(s), ${scripts} script(s) loaded`);
  });
}
