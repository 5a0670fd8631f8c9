// A joint consultation in the video room: the GP and the psychiatrist join from the meeting,
// the GP creates a one-time link for the patient, the patient waits in the lobby until the
// psychiatrist lets them in; every page decodes video from the two others (getStats
// framesDecoded increasing); the patient leaves and the others' grids update.
import { test, expect, Browser, BrowserContext, Page } from "@playwright/test";
import { signIn, hydrated } from "./helpers";
import { expectAccessible } from "./a11y";
import { CHROMIUM_ARGS, CHROMIUM_MEDIA_ARGS, CHROMIUM_PATH } from "../chromium";

test.use({
  launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...CHROMIUM_MEDIA_ARGS] },
  permissions: ["camera", "microphone"],
});

/** Today's date and a slot around now, Paris time, that stays within the day. */
function slotAroundNow(): { date: string; start: string; end: string } {
  const parts = new Intl.DateTimeFormat("fr-CA", {
    timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date());
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  const minutes = Number(get("hour")) * 60 + Number(get("minute"));
  const start = Math.max(0, Math.floor((minutes - 30) / 5) * 5);
  const end = Math.min(23 * 60 + 55, start + 60);
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return { date: `${get("year")}-${get("month")}-${get("day")}`, start: hhmm(start), end: hhmm(end) };
}

async function newPage(browser: Browser, viewport?: { width: number; height: number }): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext({ permissions: ["camera", "microphone"], ...(viewport ? { viewport } : {}) });
  return [context, await context.newPage()];
}

/** The simulcast encodings the page sends of its camera that have encoded frames (by rid). */
async function sendingLayers(page: Page): Promise<string[]> {
  const stats = await videoStats(page, "outbound-rtp");
  return stats.filter((r) => r.rid && (r.framesEncoded ?? 0) > 0).map((r) => r.rid).sort();
}

/** The width of the video shown in the tile of the participant whose tile mentions `who`. */
async function tileVideoWidth(page: Page, who: string): Promise<number> {
  return page.locator(".video-grid .tile", { hasText: who }).locator("video").evaluate((v: HTMLVideoElement) => v.videoWidth);
}

/** The page connection's RTP statistics of one type (inbound-rtp or outbound-rtp) and kind. */
async function videoStats(page: Page, type: string, kind = "video"): Promise<any[]> {
  return page.evaluate(async ([type, kind]) => {
    const pc = (window as any).concertoPeer as RTCPeerConnection | undefined;
    const out: any[] = [];
    if (!pc) return out;
    (await pc.getStats()).forEach((r: any) => {
      if (r.type === type && r.kind === kind) out.push({ ...r });
    });
    return out;
  }, [type, kind]);
}

/** Audio packets the page received, per remote track. */
async function audioPacketsReceived(page: Page): Promise<number[]> {
  return (await videoStats(page, "inbound-rtp", "audio")).map((r) => r.packetsReceived ?? 0);
}

/** Audio packets the page sent. */
async function audioPacketsSent(page: Page): Promise<number> {
  return (await videoStats(page, "outbound-rtp", "audio")).reduce((sum, r) => sum + (r.packetsSent ?? 0), 0);
}

/** Frames decoded per remote video track of the page's connection. */
async function framesDecoded(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await videoStats(page, "inbound-rtp")) if (r.trackIdentifier) out[r.trackIdentifier] = r.framesDecoded ?? 0;
  return out;
}

/** Waits until the page decodes video from `count` others, and that it keeps decoding. */
async function decodesFrom(page: Page, count: number) {
  let first: Record<string, number> = {};
  await expect
    .poll(async () => {
      first = await framesDecoded(page);
      return Object.values(first).filter((n) => n > 0).length;
    }, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(count);
  await expect
    .poll(async () => {
      const now = await framesDecoded(page);
      return Object.entries(first).filter(([track, n]) => n > 0 && (now[track] ?? 0) > n).length;
    }, { timeout: 10_000 })
    .toBeGreaterThanOrEqual(count);
}

async function enterRoom(page: Page, meetingUrl: string) {
  await page.goto(`${meetingUrl}/salle`);
  await hydrated(page);
  await expect(page.locator("#room-preview")).toBeVisible();
  await page.getByRole("button", { name: "Entrer dans la salle", exact: true }).click();
  await expect(page.getByRole("toolbar", { name: "Commandes de la salle" })).toBeVisible();
}

test("two professionals and an admitted guest see each other, and the grid follows departures", async ({ browser }) => {
  test.setTimeout(120_000);
  // The coordinator schedules a joint consultation now and invites the GPs and psychiatrists.
  const [coordinatorContext, coordinator] = await newPage(browser);
  await signIn(coordinator, "coordination@demo.concerto.test");
  await coordinator.goto("/reunions/nouvelle");
  await hydrated(coordinator);
  const slot = slotAroundNow();
  await coordinator.getByLabel("Type de réunion").selectOption("joint_consultation");
  await coordinator.getByLabel("Titre").fill("Consultation conjointe vidéo");
  await coordinator.locator("#f-draft-date").fill(slot.date);
  await coordinator.locator("#f-draft-start_time").fill(slot.start);
  await coordinator.locator("#f-draft-end_time").fill(slot.end);
  await coordinator.getByLabel("Mode").selectOption("video");
  const repeat = coordinator.getByLabel("Répétition");
  if (await repeat.count()) await repeat.selectOption("none");
  await coordinator.getByRole("button", { name: "Créer la réunion" }).click();
  await expect(coordinator.getByRole("heading", { level: 1 })).toContainText("Consultation conjointe vidéo");
  const meetingUrl = new URL(coordinator.url()).pathname;
  for (const [n, role] of ["gp", "psychiatrist"].entries()) {
    await coordinator.locator("#invite-role").selectOption(role);
    await coordinator.getByRole("button", { name: "Inviter le groupe" }).click();
    await expect(coordinator.locator("table.invitees tbody tr")).toHaveCount(n + 1);
  }
  await coordinatorContext.close();

  // The psychiatrist, then the GP, enter from the meeting page.
  const [, psy] = await newPage(browser);
  await signIn(psy, "psychiatre@demo.concerto.test");
  await psy.goto(meetingUrl);
  await expect(psy.getByRole("link", { name: "Salle vidéo" })).toBeVisible();
  await enterRoom(psy, meetingUrl);
  const [, gp] = await newPage(browser);
  await signIn(gp, "generaliste@demo.concerto.test");
  await enterRoom(gp, meetingUrl);
  for (const page of [psy, gp]) await expect(page.locator(".video-grid .tile")).toHaveCount(2);
  await expect(psy.locator(".video-grid .tile")).toContainText(["Psychiatre", "Médecin"]);
  await expectAccessible(psy, "the video room");

  // The GP creates the patient's link; it opens on one device only.
  await gp.getByRole("button", { name: "Créer un lien pour le ou la patient·e" }).click();
  const link = await gp.getByLabel("Lien à envoyer (affiché une seule fois)").inputValue();
  expect(link).toMatch(/\/invitation\/[A-Za-z0-9_-]{40,}$/);
  // The patient is on a phone: small tiles.
  const [, patient] = await newPage(browser, { width: 360, height: 780 });
  await patient.goto(link);
  await expect(patient).toHaveURL(/\/invitation$/);
  await hydrated(patient);
  const [otherContext, other] = await newPage(browser);
  await other.goto(link);
  await expect(other.getByText("déjà été ouvert sur un autre appareil")).toBeVisible();
  await otherContext.close();

  // The patient knocks; the psychiatrist lets them in.
  await patient.getByLabel("Votre nom (vu par les participants)").fill("Camille");
  await patient.getByRole("button", { name: "Entrer dans la salle d'attente" }).click();
  await expect(patient.locator(".lobby-waiting")).toBeVisible();
  await expectAccessible(patient, "the guest's lobby");
  await expect(psy.locator(".lobby")).toContainText("Camille attend");
  await expect(gp.locator(".lobby")).toContainText("Camille attend");
  await psy.locator(".lobby").getByRole("button", { name: "Faire entrer" }).click();
  for (const page of [psy, gp, patient]) await expect(page.locator(".video-grid .tile")).toHaveCount(3);
  await expect(gp.locator(".lobby")).toHaveCount(0);
  await expect(gp.locator(".video-grid")).toContainText("Invité·e");

  // Everyone decodes video from the two others.
  for (const page of [psy, gp, patient]) await decodesFrom(page, 2);

  // Microphones send Opus with discontinuous transmission (the server asks for it: a silent
  // microphone then sends a packet every 400 ms), and everyone's audio arrives.
  const remote = await psy.evaluate(() => (window as any).concertoPeer?.remoteDescription?.sdp ?? "");
  expect(remote).toMatch(/a=fmtp:\d+ [^\r\n]*usedtx=1/);
  await expect
    .poll(async () => (await audioPacketsReceived(psy)).filter((n) => n > 0).length, { timeout: 10_000 })
    .toBeGreaterThanOrEqual(2);

  // Cameras go out in simulcast (a quarter, half and all of 960×540).
  await expect.poll(() => sendingLayers(psy), { timeout: 20_000 }).toEqual(["f", "h", "q"]);

  // Muting shows on the others' tiles.
  await expectAccessible(gp, "the room with a guest waiting and admitted");
  await gp.getByRole("button", { name: "Couper le micro" }).click();
  await expect(psy.locator(".tile", { hasText: "Médecin" }).locator(".muted-tag")).toContainText("micro coupé");
  // Muted, the GP's microphone pauses (DTX): a packet every 400 ms or so, not 50 a second.
  const before = await audioPacketsSent(gp);
  await gp.waitForTimeout(3_000);
  expect((await audioPacketsSent(gp)) - before).toBeLessThan(75);

  // The silent GP's small tile on the patient's phone gets the low layer (240 pixels wide)
  // while the psychiatrist's camera is sent whole to the GP's wide screen.
  await expect
    .poll(async () => {
      const width = await tileVideoWidth(patient, "Médecin");
      return width > 0 && width <= 320;
    }, { timeout: 20_000 })
    .toBe(true);
  await expect.poll(() => tileVideoWidth(gp, "Psychiatre"), { timeout: 20_000 }).toBeGreaterThanOrEqual(480);
  await decodesFrom(patient, 2);

  // The GP picks a camera again in the room: the new track replaces the old one on the same
  // sender, and the others keep decoding the GP's video.
  await gp.getByText("Changer de caméra ou de micro").click();
  await gp.getByLabel("Caméra").selectOption({ index: 0 });
  await decodesFrom(psy, 2);

  // The patient leaves: the others' grids drop to two within a few seconds.
  await patient.getByRole("button", { name: "Quitter la salle" }).click();
  await expect(patient.getByText("Vous avez quitté la salle.")).toBeVisible();
  for (const page of [psy, gp]) await expect(page.locator(".video-grid .tile")).toHaveCount(2, { timeout: 5_000 });
});
