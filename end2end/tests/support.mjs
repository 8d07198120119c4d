// Shared set-up for the browser tests: Debian's Chromium; each test user gets its own
// browser context (its own cookies), like a separate person at a separate browser.
//
// Every page of every context is watched: an uncaught error (a wasm panic included), or a
// console error, fails the test it happened in, even when the test had already read what
// it wanted from the page.
import { afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE = process.env.CADENCE_URL ?? 'http://127.0.0.1:3000';
// A second server process over the same database (the live-update tests): the same cookies
// work on both, as behind a load balancer.
export const BASE_2 = process.env.CADENCE_URL_2 ?? BASE;
export const PASSWORD = 'correct horse battery';

// What went wrong in pages since the last test ended.
const pageErrors = [];

// A refused request (4xx) is an answer the page shows, not a fault: Chromium still logs it
// as "Failed to load resource". Server errors (5xx) and everything else count.
function isFault(message) {
  return !/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text());
}

// An error's message and the first lines of its stack: a wasm panic's message comes before
// a long stack, and when several errors follow one another the first says most (a panic
// leaves the module's state half-changed, and what runs next fails on it). The panic's own
// machinery is left out of a stack (in a build with names, the frames after it are the app's).
const PLUMBING = /panicking|panic_hook|rust_begin_unwind|rust_start_panic|rust_panic|5bytes5abort|externref shim|short_backtrace|^\s*at b \(|^\s*(Error)?\s*$/;
function brief(text) {
  const lines = String(text).split('\n').filter((l) => !PLUMBING.test(l));
  const stack = lines.findIndex((l) => /^\s*(at |Stack:)/.test(l) || /wasm-function\[/.test(l));
  return lines.slice(0, stack < 0 ? 12 : Math.min(stack + 4, 12)).join('\n');
}

export function watch(page) {
  explainTimeouts(page);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: uncaught ${brief(error.stack ?? error)}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && isFault(message)) {
      pageErrors.push(`${page.url()}: console error: ${brief(message.text())}`);
    }
  });
  page.on('crash', () => pageErrors.push(`${page.url()}: the page crashed`));
  // The server failing is a fault whatever the page made of it (a refusal is a 4xx).
  page.on('response', (response) => {
    if (response.status() >= 500) {
      pageErrors.push(`${page.url()}: ${response.request().method()} ${response.url()} answered ${response.status()}`);
    }
  });
}

// A wait that times out says what the page showed then: a form's error, a page's error
// message or a half-drawn page is read from the test's output (CI keeps nothing else).
let explaining = false;
function explainTimeouts(page) {
  if (explaining) return;
  explaining = true;
  const proto = Object.getPrototypeOf(page.locator('body'));
  const waitFor = proto.waitFor;
  proto.waitFor = async function (options) {
    try {
      return await waitFor.call(this, options);
    } catch (error) {
      if (error?.name === 'TimeoutError' && !this.page().isClosed()) {
        const shown = await Promise.race([
          this.page().evaluate(() => {
            const main = document.querySelector('main') ?? document.body;
            const fields = [...main.querySelectorAll('input:not([type=hidden]), textarea, select')]
              .map((f) => `${f.id || f.name} = ${JSON.stringify(f.value)}`);
            return `${main.innerText}\nFields: ${fields.join(', ') || 'none'}`;
          }),
          new Promise((resolve) => { setTimeout(() => resolve('(the page did not answer)'), 2_000); }),
        ]).catch((e) => `(not readable: ${e.message.split('\n')[0]})`);
        error.message += `\nThe page (${this.page().url()}) showed:\n${shown.slice(0, 3_000)}`;
      }
      // A panic before the wait is often why it waited in vain; afterEach would report it
      // too, but a test's own failure is the one printed.
      if (error?.name === 'TimeoutError' && pageErrors.length > 0) {
        error.message += `\nErrors in the page so far (read the first):\n${pageErrors.join('\n')}`;
      }
      throw error;
    }
  };
}

function watchContext(context) {
  context.on('page', watch);
  return context;
}

afterEach(() => {
  const errors = pageErrors.splice(0);
  // The message alone (no diff of the whole list): the first error is the one to read.
  assert.ok(errors.length === 0, `${errors.length} errors in the page (read the first: the others often follow from it):\n${errors.join('\n')}`);
});

export async function launch() {
  const browser = await launchChromium();
  // Every context a test opens is watched.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => watchContext(await newContext(options));
  return browser;
}

async function launchChromium() {
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
export async function openHydrated(page, path = '/', base = BASE) {
  await page.goto(base + path);
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
}

// A unique suffix, so runs against the same database do not collide.
export function unique() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

// Calls a server function as this context's user: form-encoded, or JSON when `json`.
export async function call(context, endpoint, data, json = false) {
  const res = await context.request.post(`${BASE}/api/fn/${endpoint}`,
    json ? { data } : { form: data });
  assert.ok(res.ok(), `${endpoint}: ${res.status()} ${await res.text()}`);
  return res.json();
}

// Signs a context in as a new user with a new project, through the same server functions
// the forms call (set-up for tests about something else). Returns the project's slug.
export async function signedInWithProject(context, name = 'Topics') {
  const id = unique();
  await call(context, 'register', {
    email: `user-${id}@example.com`, display_name: 'Test User', password: PASSWORD,
  });
  const project = await call(context, 'projects/create', { name: `${name} ${id}` });
  return project.slug;
}
