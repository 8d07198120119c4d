// Measures a first visit as a newcomer's browser makes it (issue 20): how long until the
// demo's backlog is interactive, and how many bytes of code it downloads.
//
//   node scripts/bench-first-load.mjs   (run by scripts/bench-first-load, which starts the
//                                        server on a fresh database with the demo and
//                                        passes BASE, SLUG, VISITS, PROFILE)
//
// Every visit is a new browser context, so an empty cache (a first visit): the person signs
// in (a request, not timed), then opens /p/{SLUG}/backlog. Timed from the navigation's start
// (the page's own clock, performance.now()): the HTML's last byte, DOMContentLoaded, and
// "interactive", the moment the app marks <body data-hydrated="true"> (hydration finished,
// every control live). Counted: the bytes of JavaScript and wasm the visit fetched as they
// came over the wire (brotli), and how many files. Then the same page is opened again in
// the same context (a warm cache) and timed the same way.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(root, 'end2end', 'package.json'));
const { chromium } = require('playwright-core');

const BASE = process.env.BASE;
const SLUG = process.env.SLUG;
const VISITS = Number(process.env.VISITS ?? 10);
const PROFILE = process.env.PROFILE ?? 'release';
const EMAIL = 'michael@dunder-mifflin.example';
const PASSWORD = 'dunder mifflin demo';

// Records when <body> gets data-hydrated, on the page's own clock.
const MARK_HYDRATED = `
  new MutationObserver((_, observer) => {
    if (document.body && document.body.dataset.hydrated === 'true') {
      window.__hydratedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
`;

async function visit(page) {
  const code = [];
  const onFinished = async (request) => {
    const url = request.url();
    if (/\.(wasm|js)(\?|$)/.test(url)) {
      const sizes = await request.sizes();
      code.push({ url, bytes: sizes.responseBodySize });
    }
  };
  page.on('requestfinished', onFinished);
  await page.goto(`${BASE}/p/${SLUG}/backlog`);
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 60_000 });
  // Let the last requestfinished handlers run.
  await page.waitForTimeout(100);
  page.off('requestfinished', onFinished);
  const times = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, interactive: window.__hydratedAt };
  });
  if (typeof times.interactive !== 'number') throw new Error('the hydration mark was not seen');
  return { ...times, code };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), min: sorted[0], max: sorted[sorted.length - 1] };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const first = [];
const warm = [];
try {
  for (let i = 0; i < VISITS; i += 1) {
    const context = await browser.newContext();
    await context.addInitScript(MARK_HYDRATED);
    const res = await context.request.post(`${BASE}/api/fn/log_in`, { form: { email: EMAIL, password: PASSWORD } });
    if (!res.ok()) throw new Error(`sign-in: ${res.status()} ${await res.text()}`);
    const page = await context.newPage();
    page.on('pageerror', (e) => { throw new Error(`the page failed: ${e}`); });
    first.push(await visit(page));
    warm.push(await visit(page));
    await context.close();
  }
} finally {
  await browser.close();
}

const ms = (v) => `${v.toFixed(0)} ms`.padStart(9);
const row = (name, values) => {
  const s = stats(values);
  console.log(`${name.padEnd(44)} ${ms(s.median)} ${ms(s.min)} ${ms(s.max)}`);
};
console.log();
console.log(`${`${PROFILE} build, ${VISITS} visits of the demo backlog`.padEnd(44)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`);
row('first visit: HTML received', first.map((v) => v.html));
row('first visit: DOMContentLoaded', first.map((v) => v.dcl));
row('first visit: interactive (hydrated)', first.map((v) => v.interactive));
row('again, warm cache: interactive', warm.map((v) => v.interactive));
const code = first[0].code;
const total = code.reduce((sum, c) => sum + c.bytes, 0);
console.log();
console.log(`first visit fetched ${code.length} files of JavaScript and wasm, ${total} bytes over the wire (${(total / 1024).toFixed(1)} KiB):`);
for (const c of code) console.log(`  ${String(c.bytes).padStart(9)}  ${c.url.replace(BASE, '')}`);
