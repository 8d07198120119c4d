// Shared set-up for the browser tests: Debian's Chromium; each test user gets its own
// browser context (its own cookies), like a separate person at a separate browser.
import { chromium } from 'playwright-core';

export const BASE = process.env.CADENCE_URL ?? 'http://127.0.0.1:3000';
export const PASSWORD = 'correct horse battery';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

// Hydration has finished once the app marks the body; clicks before that would be plain
// HTML form posts.
export async function openHydrated(page, path = '/') {
  await page.goto(BASE + path);
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
}

// A unique suffix, so runs against the same database do not collide.
export function unique() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

async function callFn(context, endpoint, form) {
  const res = await context.request.post(`${BASE}/api/fn/${endpoint}`, { form });
  if (!res.ok()) throw new Error(`${endpoint}: ${res.status()} ${await res.text()}`);
  return res.json();
}

// Signs a context in as a new user with a new project, through the same server functions
// the forms call (set-up for tests about something else). Returns the project's slug.
export async function signedInWithProject(context, name = 'Topics') {
  const id = unique();
  await callFn(context, 'register', {
    email: `user-${id}@example.com`, display_name: 'Test User', password: PASSWORD,
  });
  const project = await callFn(context, 'projects/create', { name: `${name} ${id}` });
  return project.slug;
}
