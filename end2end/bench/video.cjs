// Join → first remote frame in headless Chromium on loopback (run by scripts/bench.sh): a joint
// consultation around now; the psychiatrist waits in its room (fake camera); then, 10 times, the
// GP opens the room page, waits for the camera preview, clicks "Entrer dans la salle" and the
// clock runs until the GP's connection has decoded a first frame of the psychiatrist's video
// (getStats framesDecoded > 0). Prints the median and the slowest.
const { chromium } = require("playwright-core");

const BASE = process.env.CONCERTO_BENCH_URL;
const PASSWORD = "concerto-demo";

async function signedIn(browser, email) {
  const context = await browser.newContext({ permissions: ["camera", "microphone"] });
  const page = await context.newPage();
  await page.goto(BASE + "/login");
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/\/agenda$/);
  return page;
}

/** Today and a slot around now, Paris time, within the day. */
function slotAroundNow() {
  const parts = new Intl.DateTimeFormat("fr-CA", {
    timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  const minutes = Number(get("hour")) * 60 + Number(get("minute"));
  const start = Math.max(0, Math.floor((minutes - 30) / 5) * 5);
  const end = Math.min(23 * 60 + 55, start + 60);
  const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return { date: `${get("year")}-${get("month")}-${get("day")}`, start: hhmm(start), end: hhmm(end) };
}

async function enter(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => window.__concertoHydrated === true);
  const join = page.getByRole("button", { name: "Entrer dans la salle", exact: true });
  await join.waitFor();
  await page.waitForFunction(() => !document.querySelector("button.join-room").disabled);
  const started = Date.now();
  await join.click();
  await page.waitForFunction(async () => {
    const pc = window.concertoPeer;
    if (!pc) return false;
    let decoded = false;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video" && (r.framesDecoded ?? 0) > 0) decoded = true;
    });
    return decoded;
  }, undefined, { polling: 10, timeout: 20_000 });
  return Date.now() - started;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
      "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
    ],
  });
  const coordinator = await signedIn(browser, "coordination@demo.concerto.test");
  await coordinator.goto(BASE + "/reunions/nouvelle");
  await coordinator.waitForFunction(() => window.__concertoHydrated === true);
  const slot = slotAroundNow();
  await coordinator.getByLabel("Type de réunion").selectOption("joint_consultation");
  await coordinator.getByLabel("Titre").fill("Mesure salle vidéo");
  await coordinator.locator("#f-draft-date").fill(slot.date);
  await coordinator.locator("#f-draft-start_time").fill(slot.start);
  await coordinator.locator("#f-draft-end_time").fill(slot.end);
  await coordinator.getByRole("button", { name: "Créer la réunion" }).click();
  await coordinator.getByRole("heading", { level: 1, name: /Mesure salle vidéo/ }).waitFor();
  const room = new URL(coordinator.url()).pathname + "/salle";
  for (const [n, role] of ["gp", "psychiatrist"].entries()) {
    await coordinator.locator("#invite-role").selectOption(role);
    await coordinator.getByRole("button", { name: "Inviter le groupe" }).click();
    await coordinator.locator("table.invitees tbody tr").nth(n).waitFor();
  }
  const psychiatrist = await signedIn(browser, "psychiatre@demo.concerto.test");
  await psychiatrist.goto(BASE + room);
  await psychiatrist.waitForFunction(() => window.__concertoHydrated === true);
  await psychiatrist.waitForFunction(() => !document.querySelector("button.join-room").disabled);
  await psychiatrist.getByRole("button", { name: "Entrer dans la salle", exact: true }).click();
  await psychiatrist.getByRole("toolbar", { name: "Commandes de la salle" }).waitFor();

  const gp = await signedIn(browser, "generaliste@demo.concerto.test");
  const runs = [];
  for (let i = 0; i < 10; i++) runs.push(await enter(gp, BASE + room));
  runs.sort((a, b) => a - b);
  console.log(
    `video room, join → first remote frame decoded (headless Chromium, loopback, 10 joins): ` +
      `median ${runs[5]} ms, slowest ${runs[9]} ms`,
  );
  await browser.close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
