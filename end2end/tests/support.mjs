// Shared set-up for the browser tests: Debian's Chromium, a fresh profile per run.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE = process.env.CADENCE_URL ?? 'http://127.0.0.1:3000';

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'cadence-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Hydration has finished once the app marks the body; clicks before that would be plain
// HTML form posts.
export async function openHydrated(page, path = '/') {
  await page.goto(BASE + path);
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
}
