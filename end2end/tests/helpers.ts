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
