// Every page with JavaScript off: each control a person can see either works as a plain
// HTML form or is not shown (a page says where such work is done instead). Then the
// backlog's and the board's everyday controls are used for real without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, call, launch, unique } from './support.mjs';

let browser, owner, noJs, slug, epic, task, increment;
const id = unique();
const ownerEmail = `owner-${id}@example.com`;

before(async () => {
  browser = await launch();
  owner = await browser.newContext();
  await call(owner, 'register', { email: ownerEmail, display_name: 'Olive Owner', password: PASSWORD });
  slug = (await call(owner, 'projects/create', { name: `No script ${id}` })).slug;
  const mate = await browser.newContext();
  const mateEmail = `mate-${id}@example.com`;
  await call(mate, 'register', { email: mateEmail, display_name: 'Mo Mate', password: PASSWORD });
  await call(owner, 'project/members/add', { slug, email: mateEmail, role: 'member' });
  epic = (await call(owner, 'items/create', { slug, item: { title: 'Shop', kind: 'epic', estimate: 21 } }, true)).number;
  await call(owner, 'items/create', { slug, item: { title: 'Cart', parent: epic, estimate: 5 } }, true);
  task = (await call(owner, 'items/create', { slug, item: { title: 'Search', estimate: 3, assignee: ownerEmail } }, true)).number;
  const other = (await call(owner, 'items/create', { slug, item: { title: 'Logo', estimate: 2 } }, true)).number;
  const sprint = await call(owner, 'sprints/create', {
    slug, 'sprint[name]': 'Q1', 'sprint[starts_on]': '2026-01-05', 'sprint[ends_on]': '2026-01-30',
  });
  increment = sprint.increments[0].id;
  await call(owner, 'increments/commit', { slug, id: increment, items: [task, other], commit: true }, true);
  await call(owner, 'increments/start', { slug, id: String(increment) });
  const detail = await call(owner, 'items/detail', { slug, number: String(task) });
  await call(owner, 'items/update', { slug, number: task,
    patch: { version: detail.item.version, state: 'doing', blocked: true, blocked_reason: 'Waiting on API' } }, true);
  // The same person, in a browser with JavaScript off.
  noJs = await browser.newContext({ javaScriptEnabled: false });
  await noJs.request.post(`${BASE}/api/fn/log_in`, { form: { email: ownerEmail, password: PASSWORD } });
});
after(async () => { await browser?.close(); });

// Visible controls that cannot work without JavaScript: outside any form, a button that
// is not a submit button, a field without a name, or a form that posts nowhere.
async function deadControls(page) {
  return page.locator('button, input:not([type="hidden"]), select, textarea').evaluateAll((controls) => controls
    .filter((c) => {
      const style = getComputedStyle(c);
      const box = c.getBoundingClientRect();
      return style.visibility !== 'hidden' && style.display !== 'none' && box.width > 1 && box.height > 1;
    })
    .filter((c) => {
      // A button that opens a popover (the sidebar as a menu) needs no script.
      if (c.hasAttribute('popovertarget')) return false;
      const form = c.form;
      if (!form) return true;
      const isButton = c.tagName === 'BUTTON' || ['submit', 'image'].includes(c.type);
      if (isButton && c.type !== 'submit' && c.type !== 'image') return true;
      if (!isButton && !c.name) return true;
      const get = (form.getAttribute('method') ?? 'get').toLowerCase() === 'get';
      return !get && !form.getAttribute('action');
    })
    .map((c) => `${c.tagName.toLowerCase()}${c.id ? '#' + c.id : ''} "${(c.getAttribute('aria-label') ?? c.textContent ?? c.name ?? '').trim().slice(0, 40)}"`));
}

test('every visible control on every page works as a form, or is not shown', async () => {
  const page = await noJs.newPage();
  const pages = ['/projects', '/account', `/p/${slug}`, `/p/${slug}/backlog`, `/p/${slug}/backlog?epic=${epic}`,
    `/p/${slug}/items/${epic}`, `/p/${slug}/items/${task}`, `/p/${slug}/board`, `/p/${slug}/sprints`,
    `/p/${slug}/increments/${increment}`, `/p/${slug}/planning`, `/p/${slug}/velocity`, `/p/${slug}/standup`,
    `/p/${slug}/reflection`, `/p/${slug}/members`, `/p/${slug}/settings`, `/p/${slug}/poker`];
  const dead = [];
  for (const path of pages) {
    const response = await page.goto(BASE + path);
    assert.equal(response.status(), 200, path);
    for (const control of await deadControls(page)) dead.push(`${path}: ${control}`);
  }
  const anonymous = await browser.newContext({ javaScriptEnabled: false });
  const signIn = await anonymous.newPage();
  for (const path of ['/login', '/register']) {
    await signIn.goto(BASE + path);
    for (const control of await deadControls(signIn)) dead.push(`${path}: ${control}`);
  }
  await anonymous.close();
  assert.deepEqual(dead, [], `controls that do nothing without JavaScript:\n${dead.join('\n')}`);
  assert.equal(await page.locator('body').getAttribute('data-hydrated'), null, 'really without JavaScript');
  await page.close();
});

test('without JavaScript the backlog adds and moves items and the board moves cards', async () => {
  const page = await noJs.newPage();
  await page.goto(`${BASE}/p/${slug}/backlog`);
  // What is done elsewhere without JavaScript is said: a row's values lead to the item.
  await page.getByText("a row's estimate, assignee and state lead to the item's page").waitFor();
  // Quick add keeps what was typed.
  await page.getByLabel('New item title').fill('Written without script');
  await page.getByLabel('New item estimate').selectOption('3');
  await page.getByRole('button', { name: 'Add to top' }).click();
  const first = page.locator('ol.item-list > li').first();
  await first.getByText('Written without script').waitFor();
  assert.match(await first.textContent(), /3 · MED/);
  // An empty title is refused, and the page says why.
  await page.getByRole('button', { name: 'Add to bottom' }).click();
  await page.getByRole('alert').filter({ hasText: /title/ }).first().waitFor();
  // Move it to the bottom with its arrow.
  const number = await first.getAttribute('data-number');
  await page.locator(`#bottom-${number}`).click();
  await page.locator('ol.item-list > li').last().getByText('Written without script').waitFor();

  // Checked rows change together with the bar under the list (it appears once one is checked).
  const bar = page.locator('form.bulk-bar');
  assert.equal(await bar.isVisible(), false);
  await page.getByRole('checkbox', { name: `Select #${number}` }).check();
  await page.getByRole('checkbox', { name: `Select #${epic}` }).check();
  await bar.waitFor();
  await page.getByLabel('Change', { exact: true }).selectOption('estimate:8');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.locator(`li[data-number="${number}"]`, { hasText: '8 · XL' }).waitFor();
  assert.match(await page.locator(`li[data-number="${epic}"]`).textContent(), /8 · XL/);
  // A refusal comes back to the bar, with the reason.
  await page.getByRole('checkbox', { name: `Select #${epic}` }).check();
  await page.getByLabel('Change', { exact: true }).selectOption('delete');
  await page.getByRole('button', { name: 'Apply' }).click();
  await bar.getByRole('alert').filter({ hasText: 'is an epic with child items' }).waitFor();
  await page.locator(`li[data-number="${epic}"]`).waitFor();

  // The board: Search goes from Doing to Done.
  await page.goto(`${BASE}/p/${slug}/board`);
  await page.getByRole('button', { name: `Move #${task} to Done` }).click();
  await page.locator('[data-column="done"] .board-card', { hasText: 'Search' }).waitFor();
  await page.close();
});
