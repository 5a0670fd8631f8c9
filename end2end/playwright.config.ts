import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium";

// The server is started by end2end/run.sh (release build, demo data, fresh database) and its
// address passed in CONCERTO_E2E_URL. Debian's Chromium, never a downloaded browser.
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.CONCERTO_E2E_URL ?? "http://127.0.0.1:3000",
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
    acceptDownloads: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
});
