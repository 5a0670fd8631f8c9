// Time to interactive in headless Chromium on loopback (run by scripts/bench.sh): the page's load
// event, then the hydration of its islands where it has any. Prints the median of 10 loads.
const { chromium } = require("playwright-core");

const BASE = process.env.CONCERTO_BENCH_URL;

async function timeToInteractive(page, path) {
  const started = Date.now();
  await page.goto(BASE + path, { waitUntil: "load" });
  const islands = await page.locator("leptos-island").count();
  if (islands > 0) {
    await page.waitForFunction(() => window.__concertoHydrated === true);
  }
  return { ms: Date.now() - started, islands };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  const page = await (await browser.newContext()).newPage();
  await page.goto(BASE + "/login");
  await page.getByLabel("Adresse e-mail").fill("coordination@demo.concerto.test");
  await page.getByLabel("Mot de passe").fill("concerto-demo");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/\/agenda$/);
  await page.goto(BASE + "/reunions");
  const meeting = await page.locator("a.meeting-title").first().getAttribute("href");
  console.log("time to interactive (headless Chromium, loopback, median of 10 loads, browser cache warm):");
  for (const path of [meeting, "/reunions", "/verifier", "/reunions/nouvelle"]) {
    const runs = [];
    let islands = 0;
    for (let i = 0; i < 10; i++) {
      const r = await timeToInteractive(page, path);
      runs.push(r.ms);
      islands = r.islands;
    }
    runs.sort((a, b) => a - b);
    console.log(`  ${path.padEnd(28)} ${String(runs[5]).padStart(5)} ms  (${islands} island(s))`);
  }
  await browser.close();
})();
