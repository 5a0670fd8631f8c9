// Accessibility checks shared by the journeys: axe-core (WCAG 2.1 A and AA rules, the basis of
// the RGAA) on the current page; any serious or critical violation fails the test with the
// rule, the elements and the help text.
import { expect, Page } from "@playwright/test";
import * as fs from "fs";

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

type AxeNode = { target: string[]; html: string; failureSummary?: string };
type AxeViolation = { id: string; impact: string | null; help: string; helpUrl: string; nodes: AxeNode[] };

/** Runs axe-core on the page as it is now; fails on serious or critical violations. */
export async function expectAccessible(page: Page, label: string) {
  await page.waitForLoadState("load");
  // Evaluated through the DevTools protocol, so the page's CSP does not apply.
  await page.evaluate(AXE_SOURCE);
  const violations: AxeViolation[] = await page.evaluate(async () => {
    const results = await (window as any).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return results.violations;
  });
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = blocking
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.html}\n      ${n.failureSummary ?? ""}`).join("\n"),
    )
    .join("\n");
  expect(blocking.length, `accessibility of ${label} (${page.url()}):\n${report}`).toBe(0);
}

/** The main content does not scroll sideways (small screens, zoom). */
export async function expectNoHorizontalScroll(page: Page, label: string) {
  const overflow = await page.evaluate(() => {
    const root = document.documentElement;
    const main = document.getElementById("contenu");
    return {
      page: root.scrollWidth - root.clientWidth,
      main: main ? main.scrollWidth - main.clientWidth : 0,
    };
  });
  expect(overflow.page, `${label}: the page scrolls sideways by ${overflow.page}px`).toBeLessThanOrEqual(0);
  expect(overflow.main, `${label}: the main content scrolls sideways by ${overflow.main}px`).toBeLessThanOrEqual(0);
}
