// The HTTP edge in a real browser: every page hydrates under its Content-Security-Policy
// (a nonce for Leptos's inline scripts, the wasm allowed, nothing else) without a single
// violation; a form posted by another site's page is refused and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, call, launch, openHydrated, unique } from './support.mjs';

let browser, owner, slug, task, increment;
const id = unique();

before(async () => {
  browser = await launch();
  owner = await browser.newContext();
  await call(owner, 'register', { email: `csp-${id}@example.com`, display_name: 'Cy Policy', password: PASSWORD });
  slug = (await call(owner, 'projects/create', { name: `Policy ${id}` })).slug;
  task = (await call(owner, 'items/create', { slug, item: { title: 'Search', estimate: 3 } }, true)).number;
  const sprint = await call(owner, 'sprints/create', {
    slug, 'sprint[name]': 'Q1', 'sprint[starts_on]': '2026-01-05', 'sprint[ends_on]': '2026-01-30',
  });
  increment = sprint.increments[0].id;
  await call(owner, 'increments/commit', { slug, id: increment, items: [task], commit: true }, true);
  // Every violation on any page, reported by the page itself (besides the console errors
  // support.mjs already fails a test on). Init scripts are injected past the CSP.
  await owner.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
});
after(async () => { await browser?.close(); });

test('every page hydrates under its Content-Security-Policy without a violation', async () => {
  const page = await owner.newPage();
  const pages = ['/projects', '/account', `/p/${slug}`, `/p/${slug}/backlog`, `/p/${slug}/items/${task}`,
    `/p/${slug}/board`, `/p/${slug}/sprints`, `/p/${slug}/increments/${increment}`, `/p/${slug}/planning`,
    `/p/${slug}/velocity`, `/p/${slug}/standup`, `/p/${slug}/reflection`, `/p/${slug}/members`,
    `/p/${slug}/settings`, `/p/${slug}/poker`, '/no/such/page'];
  const violations = [];
  const nonces = new Set();
  for (const path of pages) {
    const response = await page.goto(BASE + path);
    const policy = response.headers()['content-security-policy'] ?? '';
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    assert.ok(nonce, `${path}: no nonce in ${policy}`);
    assert.match(policy, /frame-ancestors 'none'/, path);
    nonces.add(nonce);
    await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
    for (const v of await page.evaluate(() => window.__cspViolations)) violations.push(`${path}: ${v}`);
  }
  assert.equal(nonces.size, pages.length, 'each page has its own nonce');
  // Moving around inside the app (client-side routing, server functions from the page).
  await openHydrated(page, `/p/${slug}`);
  await page.getByRole('link', { name: 'Backlog' }).first().click();
  await page.waitForURL(`**/p/${slug}/backlog`);
  await page.getByText('Search').first().waitFor();
  for (const v of await page.evaluate(() => window.__cspViolations)) violations.push(`after navigating: ${v}`);
  assert.deepEqual(violations, [], `CSP violations:\n${violations.join('\n')}`);

  // Signed out, the sign-in and register pages hydrate too.
  const anonymous = await browser.newContext();
  const signIn = await anonymous.newPage();
  for (const path of ['/login', '/register']) await openHydrated(signIn, path);
  await anonymous.close();
});

test("a form posted from another site's page is refused and changes nothing", async () => {
  const page = await owner.newPage();
  // A page of another site that posts a form to Cadence as soon as it loads.
  await page.route('http://evil.example/**', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<form method="post" action="${BASE}/api/fn/projects/create"><input name="name" value="Planted ${id}"></form>
           <script>document.forms[0].submit()</script>`,
  }));
  const refused = page.waitForResponse((r) => r.url() === `${BASE}/api/fn/projects/create`);
  await page.goto('http://evil.example/');
  assert.equal((await refused).status(), 403);
  const mine = await call(owner, 'projects/mine', {});
  const names = JSON.stringify(mine);
  assert.ok(!names.includes(`Planted ${id}`), names);
  assert.ok(names.includes(`Policy ${id}`), names);
});
