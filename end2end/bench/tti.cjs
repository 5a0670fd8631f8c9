// First load and time to interactive in headless Chromium on loopback (run by scripts/bench.sh).
// For each page: every .js and .wasm the browser fetches until the page is interactive (the
// load event, then the hydration of its islands, which load lazily), as transferred (brotli),
// with a cold cache; then the median time to interactive of 10 loads with a warm cache.
const { chromium } = require("playwright-core");

const BASE = process.env.CONCERTO_BENCH_URL;

async function interactive(page, path) {
  const started = Date.now();
  await page.goto(BASE + path, { waitUntil: "load" });
  const islands = await page.locator("leptos-island").count();
  if (islands > 0) {
    await page.waitForFunction(() => window.__concertoHydrated === true);
  }
  return { ms: Date.now() - started, islands };
}

async function signedIn(context) {
  const page = await context.newPage();
  await page.goto(BASE + "/login");
  await page.getByLabel("Adresse e-mail").fill("coordination@demo.concerto.test");
  await page.getByLabel("Mot de passe").fill("concerto-demo");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/\/agenda$/);
  return page;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  const probe = await signedIn(await browser.newContext());
  await probe.goto(BASE + "/reunions");
  const meeting = await probe.locator("a.meeting-title").first().getAttribute("href");
  const pages = ["/reunions", "/agenda", meeting, "/verifier", "/reunions/nouvelle", "/profil"];

  console.log("first load (headless Chromium, cold cache; .js and .wasm as transferred, brotli):");
  for (const path of pages) {
    const context = await browser.newContext();
    const page = await signedIn(context);
    // The sign-in page loads nothing; from here on, count every script and wasm.
    const sizes = [];
    page.on("requestfinished", async (request) => {
      if (/\.(js|wasm)$/.test(new URL(request.url()).pathname)) {
        const s = await request.sizes();
        sizes.push(s.responseBodySize);
      }
    });
    await interactive(page, path);
    await page.waitForLoadState("networkidle");
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(`  ${path.padEnd(28)} ${String(total).padStart(8)} bytes in ${sizes.length} file(s)`);
    await context.close();
  }

  console.log("time to interactive (median of 10 loads, warm cache):");
  for (const path of pages) {
    const runs = [];
    let islands = 0;
    for (let i = 0; i < 10; i++) {
      const r = await interactive(probe, path);
      runs.push(r.ms);
      islands = r.islands;
    }
    runs.sort((a, b) => a - b);
    console.log(`  ${path.padEnd(28)} ${String(runs[5]).padStart(5)} ms  (${islands} island(s))`);
  }
  await browser.close();
})();
