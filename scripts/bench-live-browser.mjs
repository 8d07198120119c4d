// Measures live updates as a person sees them (issue 13): how long from a change being sent
// to it showing in another person's open page, in Chromium, with the two people on two
// server processes over one database.
//
//   node scripts/bench-live-browser.mjs   (run by scripts/bench-live-browser, which starts
//                                          the servers and passes BASE, BASE_2, CHANGES)
//
// Ann (first server) renames an item through the JSON API CHANGES times, one after
// another; Bob's backlog page (second server) watches for the new title with a
// MutationObserver. The time is taken with the same clock on both sides (Date.now(), the
// machine's), from just before Ann's request to the moment the title is in Bob's DOM.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(root, 'end2end', 'package.json'));
const { chromium } = require('playwright-core');

const BASE = process.env.BASE;
const BASE_2 = process.env.BASE_2;
const CHANGES = Number(process.env.CHANGES ?? 100);
const PASSWORD = 'correct horse battery';

async function post(context, base, endpoint, form) {
  const res = await context.request.post(`${base}/api/fn/${endpoint}`, { form });
  if (!res.ok()) throw new Error(`${endpoint}: ${res.status()} ${await res.text()}`);
  return res.json();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const ann = await browser.newContext();
  const bob = await browser.newContext();
  const id = Date.now().toString(36);
  await post(ann, BASE, 'register', { email: `ann-${id}@example.com`, display_name: 'Ann', password: PASSWORD });
  await post(bob, BASE, 'register', { email: `bob-${id}@example.com`, display_name: 'Bob', password: PASSWORD });
  const { slug } = await post(ann, BASE, 'projects/create', { name: `Bench ${id}` });
  await post(ann, BASE, 'project/members/add', { slug, email: `bob-${id}@example.com`, role: 'member' });
  const api = `${BASE}/api/v1/projects/${slug}/items`;
  for (let i = 0; i < 20; i++) {
    const res = await ann.request.post(api, { data: { title: `Item ${i}` } });
    if (!res.ok()) throw new Error(`create: ${res.status()}`);
  }
  const first = await (await ann.request.post(api, { data: { title: 'Watched 0' } })).json();

  const page = await bob.newPage();
  await page.goto(`${BASE_2}/p/${slug}/backlog`);
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('live-mark').filter({ hasText: /^Live/ }).waitFor({ timeout: 30_000 });
  // Records when each title first appears in the page.
  await page.evaluate(() => {
    window.__seen = {};
    const look = () => {
      for (const el of document.querySelectorAll('ol.item-list .item-title')) {
        const t = el.textContent;
        if (t.startsWith('Watched ') && !(t in window.__seen)) window.__seen[t] = Date.now();
      }
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true });
  });

  const latencies = [];
  let version = first.version;
  for (let i = 1; i <= CHANGES; i++) {
    const title = `Watched ${i}`;
    const sent = Date.now();
    const res = await ann.request.patch(`${api}/${first.number}`, { data: { version, title } });
    if (!res.ok()) throw new Error(`patch: ${res.status()} ${await res.text()}`);
    version = (await res.json()).version;
    await page.waitForFunction((t) => t in window.__seen, title, { timeout: 10_000, polling: 5 });
    latencies.push((await page.evaluate((t) => window.__seen[t], title)) - sent);
    // A person's pace, not a flood: the next change after the page has settled.
    await page.waitForTimeout(50);
  }
  latencies.sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  console.log(`| changes | p50 | p95 | p99 | max | mean |`);
  console.log(`|---|---|---|---|---|---|`);
  console.log(`| ${CHANGES} | ${pick(0.5)} ms | ${pick(0.95)} ms | ${pick(0.99)} ms | ${latencies.at(-1)} ms | ${mean.toFixed(1)} ms |`);
} finally {
  await browser.close();
}
