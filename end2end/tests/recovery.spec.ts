import { test, expect, Page } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";

// The psychologist's account: no other journey signs in with it. Its password is changed, then
// set back to the demo password at the end, so a rerun against the same server still works.
const EMAIL = "psychologue@demo.concerto.test";
const DEMO_PASSWORD = "concerto-demo";
const NEW_PASSWORD = "une phrase de passe toute neuve";

// end2end/run.sh starts the server without SMTP: e-mails are .eml files in this folder.
const OUTBOX = process.env.CONCERTO_E2E_OUTBOX ?? "";

async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__concertoHydrated === true);
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/\/agenda$/);
}

function emlFiles(): string[] {
  if (!fs.existsSync(OUTBOX)) return [];
  return fs.readdirSync(OUTBOX).filter((name) => name.endsWith(".eml"));
}

// Decodes "=XX" escapes and soft line breaks of quoted-printable text.
function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(joined.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

// The readable text of an e-mail, whatever its transfer encoding: the raw text, its
// quoted-printable decoding, and the decoding of every base64 block.
function readable(eml: string): string {
  const blocks = eml.match(/(?:^[A-Za-z0-9+/=]{16,}\r?\n)+/gm) ?? [];
  const decoded = blocks.map((block) => Buffer.from(block.replace(/\s+/g, ""), "base64").toString("utf8"));
  // Decoded forms first: in the raw text a link may be cut by a soft line break.
  return [decodeQuotedPrintable(eml), ...decoded, eml].join("\n");
}

// The one-time link in a new e-mail (not in `seen`) to `recipient`, if one arrived.
function newLink(recipient: string, seen: Set<string>): string | undefined {
  for (const name of emlFiles().sort().reverse()) {
    if (seen.has(name)) continue;
    const text = readable(fs.readFileSync(path.join(OUTBOX, name), "utf8"));
    if (!new RegExp(`^To:.*${recipient.replace(/\./g, "\\.")}`, "mi").test(text)) continue;
    const match = /https?:\/\/[^\s"<>]*\/mot-de-passe\/[A-Za-z0-9_-]{20,}/.exec(text);
    if (match) return match[0];
  }
  return undefined;
}

// "Mot de passe oublié" from the sign-in page, then the link of the e-mail: returns the link.
async function askForLink(page: Page): Promise<string> {
  await page.goto("/login");
  await page.getByRole("link", { name: "Mot de passe oublié ?" }).click();
  await expect(page).toHaveURL(/\/mot-de-passe-oublie$/);
  await hydrated(page);
  const seen = new Set(emlFiles());
  await page.getByLabel("Adresse e-mail").fill(EMAIL);
  await page.getByRole("button", { name: "Recevoir un lien" }).click();
  await expect(
    page.getByText("Si un compte existe pour cette adresse, un e-mail avec un lien vient d'être envoyé.").first(),
  ).toBeVisible();
  await expect(page.getByLabel("Adresse e-mail")).toHaveValue(EMAIL);
  let link: string | undefined;
  await expect
    .poll(() => (link = newLink(EMAIL, seen)), { message: `an e-mail with a link in ${OUTBOX}`, timeout: 15_000 })
    .toBeTruthy();
  return link as string;
}

async function setPassword(page: Page, link: string, password: string) {
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Choisir votre mot de passe" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Nouveau mot de passe").fill(password);
  await page.getByLabel("Confirmez le mot de passe").fill(password);
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page).toHaveURL(/\/login\?info=password_set/);
  await expect(page.getByText("Mot de passe enregistré : vous pouvez vous connecter.")).toBeVisible();
}

test("a forgotten password is reset through the e-mailed link, and other browsers are signed out", async ({ browser }) => {
  expect(OUTBOX, "CONCERTO_E2E_OUTBOX names the server's outbox folder").not.toBe("");

  // Signed in elsewhere before the reset.
  const elsewhere = await (await browser.newContext()).newPage();
  await signIn(elsewhere, EMAIL, DEMO_PASSWORD);

  const page = await (await browser.newContext()).newPage();
  const link = await askForLink(page);
  await setPassword(page, link, NEW_PASSWORD);
  await signIn(page, EMAIL, NEW_PASSWORD);
  await expect(page.getByRole("heading", { name: "Mon agenda" })).toBeVisible();

  // The other browser's session ended: its next page load goes to the sign-in page.
  await elsewhere.goto("/agenda");
  await expect(elsewhere).toHaveURL(/\/login$/);

  // The link served once; the old password is refused.
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel("Nouveau mot de passe").fill("encore un autre secret");
  await page.getByLabel("Confirmez le mot de passe").fill("encore un autre secret");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByText("Ce lien a expiré ou a déjà servi.").first()).toBeVisible();
  await expect(page.getByRole("link", { name: "Mot de passe oublié" }).first()).toBeVisible();

  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto("/login");
  await stranger.getByLabel("Adresse e-mail").fill(EMAIL);
  await stranger.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
  await stranger.getByRole("button", { name: "Se connecter" }).click();
  await expect(stranger.getByText("E-mail ou mot de passe incorrect.")).toBeVisible();

  // Back to the demo password, for the other journeys and reruns.
  await setPassword(page, await askForLink(page), DEMO_PASSWORD);
  await signIn(page, EMAIL, DEMO_PASSWORD);
});
