// The backlog from the keyboard alone (issue 17): shortcuts to create, walk the rows,
// estimate, assign and move to the top, the help dialog, filters that apply as you type and
// stay in the URL, and shortcuts that never fire while typing in a field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, call, launch, openHydrated, signedInWithProject, unique } from './support.mjs';

let browser, context, slug;
before(async () => {
  browser = await launch();
  context = await browser.newContext();
  slug = await signedInWithProject(context, 'Keys');
});
after(async () => { await browser?.close(); });

const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');
const focusedRow = (page) => page.evaluate(() => document.activeElement?.closest('[data-row]')?.dataset.number ?? null);
// What a shortcut does is loaded with the first one pressed: wait for focus to arrive.
const focusOn = (page, id) => page.waitForFunction((i) => document.activeElement?.id === i, id, { timeout: 5000 });
const focusOnRow = (page, n) => page.waitForFunction(
  (x) => document.activeElement?.closest('[data-row]')?.dataset.number === x, n, { timeout: 5000 });
const titles = (page) => page.locator('ol.item-list > li .item-title').allTextContents();

// After a change the list reloads twice: for the change, and again when the live stream
// echoes it. A key pressed while a reload replaces the rows can be lost (a known gap: the
// rows are rebuilt, not kept), so the test waits for the echo, and for focus to be back.
async function settle(page, id) {
  await page.waitForTimeout(1000);
  await focusOn(page, id);
}

async function create(page, title) {
  await page.keyboard.press('c');
  await focusOn(page, 'quick-add-title');
  await page.keyboard.type(title);
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: title, exact: true }).waitFor();
  // Escape leaves the field, so the letters are shortcuts again (the quick add may put
  // focus back in its title once the list has reloaded: Escape again then).
  for (let i = 0; i < 20 && await focusedId(page) === 'quick-add-title'; i++) {
    await page.keyboard.press('Escape');
    await page.waitForTimeout(150);
  }
  assert.notEqual(await focusedId(page), 'quick-add-title');
}

test('create, walk, estimate and open an item with the keyboard alone', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  for (const title of ['Checkout', 'Search', 'Wish list']) {
    await create(page, title);
  }
  assert.deepEqual(await titles(page), ['Checkout', 'Search', 'Wish list']);
  const numbers = await page.locator('ol.item-list > li').evaluateAll((rows) => rows.map((r) => r.dataset.number));

  // j and k walk the rows, focus on each title (Enter would open it).
  await page.keyboard.press('j');
  await focusOnRow(page, numbers[0]);
  await page.keyboard.press('j');
  await focusOnRow(page, numbers[1]);
  await page.keyboard.press('j');
  await focusOnRow(page, numbers[2]);
  await page.keyboard.press('j');
  await page.waitForTimeout(100);
  assert.equal(await focusedRow(page), numbers[2], 'j stops at the last row');
  await page.keyboard.press('k');
  await focusOnRow(page, numbers[1]);

  // e opens the estimate menu of that row, focused; a choice shows at once, is saved, and
  // focus comes back to the row's estimate after the list reloads.
  await page.keyboard.press('e');
  await page.waitForFunction((id) => document.activeElement?.id === id && document.activeElement.tagName === 'SELECT',
    `estimate-${numbers[1]}`);
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'SELECT');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/fn/items/update'));
  await page.locator(`select#estimate-${numbers[1]}`).selectOption('5');
  assert.equal((await saved).status(), 200);
  const estimate = page.locator(`a#estimate-${numbers[1]}`);
  await estimate.filter({ hasText: '5 · LG' }).waitFor();
  await focusOn(page, `estimate-${numbers[1]}`);

  await settle(page, `estimate-${numbers[1]}`);

  // s opens the state menu of the same row the same way.
  await page.keyboard.press('s');
  await page.waitForFunction((id) => document.activeElement?.id === id && document.activeElement.tagName === 'SELECT',
    `state-${numbers[1]}`);
  const stated = page.waitForResponse((r) => r.url().endsWith('/api/fn/items/update'));
  await page.locator(`select#state-${numbers[1]}`).selectOption('doing');
  assert.equal((await stated).status(), 200);
  await page.locator(`a#state-${numbers[1]}`).filter({ hasText: 'Doing' }).waitFor();
  await settle(page, `state-${numbers[1]}`);

  // Everything survived: a reload shows the same order and values.
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.equal(await page.locator(`#estimate-${numbers[1]} .value`).textContent(), '5 · LG');
  assert.equal(await page.locator(`#state-${numbers[1]} .value`).textContent(), 'Doing');

  // Enter on a focused title opens the item.
  await page.keyboard.press('j');
  await focusOnRow(page, numbers[0]);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Checkout$/ }).waitFor();
  await page.close();
});

test('r renames the row holding focus in place: Enter saves, Escape leaves it as it was', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await create(page, 'Renamable');
  const n = await page.locator('ol.item-list > li', { hasText: 'Renamable' }).getAttribute('data-number');
  const row = page.locator(`ol.item-list > li[data-number="${n}"]`);
  const field = page.getByRole('textbox', { name: `Title of #${n}` });
  await row.locator('.item-title').focus();
  await page.keyboard.press('r');
  await field.waitFor();
  assert.equal(await field.inputValue(), 'Renamable');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'rename');
  // Typed over the title, then Escape: nothing saved, focus back on the title.
  await page.keyboard.type('Not this');
  await page.keyboard.press('Escape');
  await field.waitFor({ state: 'detached' });
  assert.equal(await row.locator('.item-title').textContent(), 'Renamable');
  await focusOnRow(page, n);
  // Again, and Enter saves it.
  await page.keyboard.press('r');
  await field.waitFor();
  await page.keyboard.type('Renamed in place');
  await page.keyboard.press('Enter');
  await field.waitFor({ state: 'detached' });
  await row.locator('.item-title', { hasText: 'Renamed in place' }).waitFor();
  // An empty title is refused next to the field, which stays for another try.
  await focusOnRow(page, n);
  await page.keyboard.press('r');
  await field.waitFor();
  await page.keyboard.press('Delete');
  await page.keyboard.press('Enter');
  await row.locator('.field-error[role="alert"]').waitFor();
  assert.ok((await row.locator('.field-error[role="alert"]').textContent()).length > 0);
  assert.equal(await field.count(), 1);
  await page.keyboard.press('Escape');
  await field.waitFor({ state: 'detached' });
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.equal(await row.locator('.item-title').textContent(), 'Renamed in place');
  await page.close();
});

test('? shows the shortcuts; letters typed in a field stay in the field', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  assert.match(await help.textContent(), /Next \/ previous item/);
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });

  await page.keyboard.press('/');
  await focusOn(page, 'filter-q');
  await page.keyboard.type('jack');
  assert.equal(await page.locator('#filter-q').inputValue(), 'jack');
  assert.equal(await focusedId(page), 'filter-q', 'j typed in the search did not move focus');
  // Escape leaves the search; the letters are shortcuts again.
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement?.id !== 'filter-q');
  await page.keyboard.press('/');
  await focusOn(page, 'filter-q');
  await page.close();
});

test('filters apply as you type and choose, and the URL keeps them', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await page.locator('#filter-q').pressSequentially('chec', { delay: 30 });
  await page.waitForURL(/[?&]q=chec/);
  await page.waitForFunction(() => {
    const t = [...document.querySelectorAll('ol.item-list > li .item-title')].map((e) => e.textContent);
    return t.length === 1 && t[0] === 'Checkout';
  });
  assert.equal(await focusedId(page), 'filter-q', 'typing goes on in the search');
  // A choice applies at once, with the words kept.
  await page.getByLabel('Kind', { exact: true }).first().selectOption('bug');
  await page.waitForURL(/kind=bug/);
  assert.match(page.url(), /q=chec/);
  await page.getByText('Nothing matches these filters.').waitFor();

  // The filtered backlog is a link: opened anew, it shows the same.
  const link = page.url();
  const other = await context.newPage();
  await openHydrated(other, link.replace(/^https?:\/\/[^/]+/, ''));
  assert.equal(await other.locator('#filter-q').inputValue(), 'chec');
  assert.equal(await other.getByLabel('Kind', { exact: true }).first().inputValue(), 'bug');
  await other.getByText('Nothing matches these filters.').waitFor();
  await other.close();
  await page.close();
});

test('a choice the server refuses is undone in the row, with the reason', async () => {
  const email = `leaving-${unique()}@example.com`;
  const other = await browser.newContext();
  await call(other, 'register', { email, display_name: 'Lea Leaving', password: PASSWORD });
  await other.close();
  await call(context, 'project/members/add', { slug, email, role: 'member' });
  const res = await context.request.post(`${BASE}/api/v1/projects/${slug}/items`, { data: { title: 'Refused' } });
  const { number } = await res.json();

  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  const value = page.locator(`a#assignee-${number}`);
  assert.equal(await value.locator('.value').textContent(), 'Unassigned');
  // She leaves after the page was loaded: the menu still offers her, the server refuses.
  await call(context, 'project/members/remove', { slug, email });
  await value.click();
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/fn/items/update'));
  await page.locator(`select#assignee-${number}`).selectOption(email);
  assert.equal((await refused).status() >= 400, true);
  await page.locator('.form-error[role="alert"]').filter({ hasText: /\S/ }).waitFor();
  await page.locator(`a#assignee-${number}`).filter({ hasText: 'Unassigned' }).waitFor();
  await page.close();
});

test('m moves the row holding focus to the top, and focus stays with it', async () => {
  const own = await browser.newContext();
  const project = await signedInWithProject(own, 'Top');
  for (const title of ['One', 'Two', 'Three']) {
    const res = await own.request.post(`${BASE}/api/v1/projects/${project}/items`, { data: { title } });
    assert.equal(res.status(), 201);
  }
  const page = await own.newPage();
  await openHydrated(page, `/p/${project}/backlog`);
  const numbers = await page.locator('ol.item-list > li').evaluateAll((rows) => rows.map((r) => r.dataset.number));
  for (const n of numbers) {
    await page.keyboard.press('j');
    await focusOnRow(page, n);
  }
  const moved = page.waitForResponse((r) => r.url().endsWith('/api/fn/items/move'));
  await page.keyboard.press('m');
  assert.equal((await moved).status(), 200);
  await page.waitForFunction(() => document.querySelector('ol.item-list > li .item-title')?.textContent === 'Three');
  await focusOnRow(page, numbers[2]);
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.deepEqual(await titles(page), ['Three', 'One', 'Two']);
  await own.close();
});

test('the whole way with the keyboard alone: create, estimate, assign, commit, and across the board to done', async () => {
  const walker = await browser.newContext();
  const walk = await signedInWithProject(walker, 'Walk');
  const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
  const sprint = await call(walker, 'sprints/create', {
    slug: walk, 'sprint[name]': 'Now', 'sprint[starts_on]': day(0), 'sprint[ends_on]': day(13),
  });
  const increment = sprint.increments[0].id;
  await call(walker, 'increments/start', { slug: walk, id: String(increment) });
  const page = await walker.newPage();
  await openHydrated(page, `/p/${walk}/backlog`);

  // Create (c), then walk to it (j).
  await create(page, 'Walk the whole way');
  const n = await page.locator('ol.item-list > li').first().getAttribute('data-number');
  await page.keyboard.press('j');
  await focusOnRow(page, n);

  // Estimate (e) and assign (a): each opens the row's menu, focused.
  await page.keyboard.press('e');
  await focusOn(page, `estimate-${n}`);
  await page.locator(`select#estimate-${n}`).selectOption('3');
  await page.locator(`a#estimate-${n}`).filter({ hasText: '3 · MED' }).waitFor();
  await settle(page, `estimate-${n}`);
  await page.keyboard.press('a');
  await page.waitForFunction((id) => document.activeElement?.id === id && document.activeElement.tagName === 'SELECT',
    `assignee-${n}`);
  // Chosen by id, not as the focused element: the menu was reached by the keyboard (checked
  // just above), and a reload that redraws the row keeps it open while focus comes back.
  await page.locator(`select#assignee-${n}`).selectOption({ label: 'Test User' });
  await page.locator(`a#assignee-${n}`).filter({ hasText: 'Test User' }).waitFor();
  await settle(page, `assignee-${n}`);

  // Commit: select the row (x), reach the bar from the palette, choose the increment.
  await page.keyboard.press('x');
  await page.getByRole('checkbox', { name: `Select #${n}` }).waitFor();
  await page.waitForFunction((x) => document.querySelector(`.select[value="${x}"]`)?.checked, n);
  await page.keyboard.press('Control+k');
  await page.getByRole('combobox', { name: /Go to a page/ }).fill('change the sel');
  await page.locator('#palette [role="option"][aria-selected="true"]', { hasText: 'Change the selected items' }).waitFor();
  await page.keyboard.press('Enter');
  await focusOn(page, 'bulk-change');
  // The increments are read when the menu is first reached.
  await page.locator(`#bulk-change option[value="increment:${increment}"]`).waitFor({ state: 'attached' });
  await page.locator(':focus').selectOption(`increment:${increment}`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Apply');
  await page.keyboard.press('Enter');
  await page.locator('.toast', { hasText: 'Committed 1 item.' }).waitFor();

  // The board, from the palette; j reaches the card, s moves it a column right, twice.
  await page.keyboard.press('Control+k');
  await page.getByRole('combobox', { name: /Go to a page/ }).fill('board');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/p/${walk}/board`);
  await page.locator(`[data-column="todo"] #card-${n}`).waitFor();
  await page.keyboard.press('j');
  await focusOnRow(page, n);
  await page.keyboard.press('s');
  await page.locator(`[data-column="doing"] #card-${n}`).waitFor();
  await focusOnRow(page, n);
  await page.keyboard.press('s');
  await page.locator(`[data-column="done"] #card-${n}`).waitFor();
  // The card shows in Done at once; the toast says the server has made the move.
  await page.locator('.toast', { hasText: `Moved #${n} to Done.` }).waitFor();

  const item = (await call(walker, 'items/detail', { slug: walk, number: n })).item;
  assert.equal(item.state, 'done');
  assert.equal(item.estimate, 3);
  assert.equal(item.assignee.display_name, 'Test User');
  assert.equal(item.increment, increment);
  await walker.close();
});
