// Bulk changes on the backlog: rows selected with `x` and shift-click, one change for all of
// them from the bar under the list, a toast with Undo, and a refusal shown in the bar.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, openHydrated, call, signedInWithProject } from './support.mjs';

let browser;
let context;
let slug;
before(async () => {
  browser = await launch();
  context = await browser.newContext();
  slug = await signedInWithProject(context, 'Bulk');
  for (const title of ['Cart', 'Pay', 'Ship', 'Mail', 'Refund', 'Search']) {
    await call(context, 'items/create', { slug, item: { title } }, true);
  }
});
after(async () => { await browser?.close(); });

/** Each item's estimate as the JSON API reads it, by number. */
async function estimates(page) {
  const res = await page.request.get(`${BASE}/api/v1/projects/${slug}/items?limit=50`);
  assert.equal(res.status(), 200);
  const { items } = await res.json();
  return Object.fromEntries(items.map((i) => [i.number, i.estimate]));
}

/** The bar's count as the browser shows it and reads it out: the stylesheet writes it (a
 * counter in `::before`), so it is read from Chromium's accessibility tree, not the DOM. */
async function countShown(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    // The counter and the words are two pieces of text under one parent: read them together.
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const words = nodes.find((n) => n.role?.value === 'StaticText' && n.name?.value === ' selected');
    const parent = words && byId.get(words.parentId);
    return parent?.childIds
      .map((id) => byId.get(id))
      .filter((n) => n?.role?.value === 'StaticText')
      .map((n) => n.name.value)
      .join('');
  } finally {
    await cdp.detach();
  }
}

/** Waits (up to five seconds) for the bar to show this count. */
async function countIs(page, text) {
  let shown;
  for (let tries = 0; tries < 50; tries += 1) {
    shown = await countShown(page);
    if (shown === text) return;
    await page.waitForTimeout(100);
  }
  assert.equal(shown, text, 'the count in the bar');
}

test('five items are estimated at once, from the keyboard and a shift-click, and Undo puts them back', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  const bar = page.locator('form.bulk-bar');
  assert.equal(await bar.isVisible(), false, 'no bar before anything is selected');

  // x on the first two rows (j moves down), then a shift-click on the fifth: rows 1–5.
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await bar.waitFor();
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  assert.equal(await page.locator('.item-title').nth(1).evaluate((el) => el === document.activeElement), true,
    'focus stays on the row, so j and k go on from it');
  await page.getByRole('checkbox', { name: 'Select #5' }).click({ modifiers: ['Shift'] });
  // The bar counts them (in the stylesheet, so it reads the same with JavaScript off).
  await countIs(page, '5 selected');
  for (const n of [1, 2, 3, 4, 5]) {
    assert.equal(await page.getByRole('checkbox', { name: `Select #${n}` }).isChecked(), true, `#${n} is selected`);
  }
  assert.equal(await page.getByRole('checkbox', { name: 'Select #6' }).isChecked(), false);

  // The change, chosen and applied with the keyboard.
  await page.getByLabel('Change', { exact: true }).selectOption('estimate:3');
  await page.getByRole('button', { name: 'Apply' }).press('Enter');
  const toast = page.locator('.toast', { hasText: 'Estimated 5 items.' });
  await toast.waitFor();
  await page.locator('.item-row[data-number="5"] .chip.estimate', { hasText: '3' }).waitFor();
  assert.deepEqual(await estimates(page), { 1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: null });
  assert.equal(await bar.isVisible(), false, 'the selection is cleared');
  assert.equal(await page.locator('.item-list .select:checked').count(), 0);

  // Undo: one request puts all five back.
  await toast.getByRole('button', { name: 'Undo' }).click();
  await page.locator('.toast', { hasText: 'Undone.' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('.item-row[data-number="1"] .chip.estimate')?.textContent.includes('3'));
  assert.deepEqual(await estimates(page), { 1: null, 2: null, 3: null, 4: null, 5: null, 6: null });
  await page.close();
});

test('a refused bulk change changes nothing and says why in the bar; the selection survives a reload of the list', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await page.getByRole('checkbox', { name: 'Select #1' }).check();
  await page.getByRole('checkbox', { name: 'Select #2' }).check();
  // Someone else changes the list: it reloads through the live stream, and the rows stay checked.
  await call(context, 'items/create', { slug, item: { title: 'Invoice' } }, true);
  await page.locator('.item-title', { hasText: 'Invoice' }).waitFor();
  assert.equal(await page.getByRole('checkbox', { name: 'Select #2' }).isChecked(), true);
  await countIs(page, '2 selected');

  // #2 is deleted meanwhile: the whole change is refused, #1 keeps its state.
  await call(context, 'items/delete', { slug, number: 2 }, true);
  await page.getByLabel('Change', { exact: true }).selectOption('state:doing');
  await page.getByRole('button', { name: 'Apply' }).click();
  const error = page.locator('.bulk-bar .form-error');
  await error.filter({ hasText: 'no item #2' }).waitFor();
  const res = await page.request.get(`${BASE}/api/v1/projects/${slug}/items/1`);
  assert.equal((await res.json()).item.state, 'todo');
  await page.close();
});
