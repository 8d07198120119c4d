// The backlog in the browser: break an epic down the way the article does, estimate it,
// watch its progress move; reorder by drag and drop and by keyboard, and see the order
// survive a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, launch, openHydrated, signedInWithProject } from './support.mjs';

let browser, context, slug;
before(async () => {
  browser = await launch();
  context = await browser.newContext();
  slug = await signedInWithProject(context, 'Shop');
});
after(async () => { await browser?.close(); });

async function quickAdd(page, title, kind = 'task') {
  await page.getByLabel('Kind', { exact: true }).last().selectOption(kind);
  const input = page.getByLabel('New item title');
  await input.fill(title);
  await input.press('Enter');
  await page.getByRole('link', { name: title, exact: true }).waitFor();
}

async function order(page) {
  return page.locator('ol.item-list > li .item-title').allTextContents();
}

test('an epic broken into the article\'s five tasks adds up to 11 points', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await quickAdd(page, 'Web shop', 'epic');
  await page.getByRole('link', { name: 'Web shop', exact: true }).click();
  await page.getByRole('heading', { name: /Web shop/ }).waitFor();
  await page.locator('body[data-hydrated="true"]').waitFor();

  const tasks = [['Display items', '1'], ['Display prices', '1'], ['Item database', '3'],
    ['Pics storage', '1'], ['Cart', '5']];
  for (const [title, points] of tasks) {
    await page.getByLabel('Child item estimate').selectOption(points);
    await page.getByLabel('Child item title').fill(title);
    await page.getByLabel('Child item title').press('Enter');
    await page.getByRole('table', { name: 'Child items' }).getByRole('link', { name: title }).waitFor();
  }
  const progress = page.getByTestId('epic-progress');
  await progress.filter({ hasText: '0 of 11 points done · 0 of 5 items · 11 points remaining' }).waitFor();
  const cart = page.getByRole('table', { name: 'Child items' }).getByRole('row', { name: /Cart/ });
  assert.match(await cart.textContent(), /5 · LG/);

  // Finish "Item database" (3 points) and come back: progress moves.
  await page.getByRole('link', { name: 'Item database' }).click();
  await page.getByRole('heading', { name: /Item database/ }).waitFor();
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByLabel('State').selectOption('done');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('item-state').filter({ hasText: 'Done' }).waitFor();
  await page.getByRole('list', { name: 'History' }).getByText('state: todo → done').waitFor();
  await page.getByRole('link', { name: /Epic #/ }).click();
  await progress.filter({ hasText: '3 of 11 points done · 1 of 5 items · 8 points remaining' }).waitFor();

  // In the backlog, the epic's row shows its open children in place (the done one is not
  // backlog work any more), and hides them again.
  await openHydrated(page, `/p/${slug}/backlog`);
  await page.getByTestId('live-mark').filter({ hasText: /^Live/ }).waitFor();
  const show = page.getByRole('button', { name: 'Show children' }).first();
  assert.equal(await show.getAttribute('aria-expanded'), 'false');
  await show.click();
  const children = page.getByRole('list', { name: /^Children of #/ });
  await children.getByRole('link', { name: 'Cart' }).waitFor();
  assert.deepEqual(await children.getByRole('link').allTextContents(),
    ['Display items', 'Display prices', 'Pics storage', 'Cart']);
  const hide = page.getByRole('button', { name: 'Hide children' }).first();
  assert.equal(await hide.getAttribute('aria-expanded'), 'true');
  await hide.click();
  await children.waitFor({ state: 'detached' });
  await page.close();
});

test('dragging an item to the top keeps it there after a reload', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  for (const t of ['Alpha', 'Bravo', 'Charlie']) await quickAdd(page, t);
  const before = await order(page);
  const first = page.locator('ol.item-list > li').first();
  const charlie = page.locator('ol.item-list > li', { hasText: 'Charlie' });
  await charlie.dragTo(first);
  await page.waitForFunction(() =>
    document.querySelector('ol.item-list > li .item-title')?.textContent === 'Charlie');
  const after = await order(page);
  assert.deepEqual(after, ['Charlie', ...before.filter((t) => t !== 'Charlie')]);
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.deepEqual(await order(page), after);
  await page.close();
});

test('the keyboard alone reorders: focus a move button, press Enter, focus stays', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  for (const t of ['Kilo', 'Lima', 'Mike']) await quickAdd(page, t);
  const titles = await order(page);
  const last = titles[titles.length - 1];
  const number = await page.locator('ol.item-list > li', { hasText: last }).last().getAttribute('data-number');
  const up = page.locator(`#up-${number}`);
  await up.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) => {
    const rows = [...document.querySelectorAll('ol.item-list > li .item-title')].map((e) => e.textContent);
    return rows[rows.length - 2] === t;
  }, last);
  // Focus came back to the same button, so pressing Enter again moves it further.
  await page.waitForFunction((id) => document.activeElement?.id === id, `up-${number}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) => {
    const rows = [...document.querySelectorAll('ol.item-list > li .item-title')].map((e) => e.textContent);
    return rows[rows.length - 3] === t;
  }, last);
  await page.waitForFunction((id) => document.activeElement?.id === id, `up-${number}`);
  await page.locator(`#top-${number}`).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) =>
    document.querySelector('ol.item-list > li .item-title')?.textContent === t, last);
  await page.reload();
  assert.equal((await order(page))[0], last);
  await page.close();
});

test('moving an item down to the last place keeps focus on that item', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  for (const t of ['November', 'Oscar']) await quickAdd(page, t);
  const rows = page.locator('ol.item-list > li');
  const count = await rows.count();
  const number = await rows.nth(count - 2).getAttribute('data-number');
  const title = await rows.nth(count - 2).locator('.item-title').textContent();
  await page.locator(`#down-${number}`).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) => {
    const titles = [...document.querySelectorAll('ol.item-list > li .item-title')].map((e) => e.textContent);
    return titles[titles.length - 1] === t;
  }, title);
  // Its "down" arrow is disabled at the bottom: focus goes to its own "up" arrow, so the
  // next Enter moves the same item, never a neighbour.
  await page.waitForFunction((id) => document.activeElement?.id === id, `up-${number}`, { timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) => {
    const titles = [...document.querySelectorAll('ol.item-list > li .item-title')].map((e) => e.textContent);
    return titles[titles.length - 2] === t;
  }, title);
  await page.close();
});

// The numbers of a few rows, by title.
async function numbers(page, titles) {
  const out = {};
  for (const t of titles) {
    out[t] = Number(await page.locator('ol.item-list > li', { hasText: t }).getAttribute('data-number'));
  }
  return out;
}

test('a move shows before the server answers; refused, it is put back with the reason', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  for (const t of ['Papa', 'Quebec', 'Romeo', 'Sierra']) await quickAdd(page, t);
  const n = await numbers(page, ['Papa', 'Quebec', 'Romeo', 'Sierra']);
  const tail = async () => (await order(page)).slice(-4);
  assert.deepEqual(await tail(), ['Papa', 'Quebec', 'Romeo', 'Sierra']);
  // The move's request is held until the test lets it go.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let sent = false;
  await page.route('**/api/fn/items/move', async (route) => {
    sent = true;
    await held;
    await route.continue();
  });
  // A drag over Quebec's row marks it as where the item would land (a line above it).
  const quebec = page.locator('ol.item-list > li', { hasText: 'Quebec' });
  await quebec.locator('.item-title').dispatchEvent('dragover');
  await page.locator('ol.item-list > li.drop-target', { hasText: 'Quebec' }).waitFor();
  assert.equal(await page.locator('ol.item-list > li.drop-target').count(), 1);
  // Dropped there: Sierra goes above Quebec, and the mark goes.
  await page.locator('ol.item-list > li', { hasText: 'Sierra' }).dragTo(quebec);
  // Shown at once, while the server has not even seen the request.
  await page.waitForFunction(() => {
    const t = [...document.querySelectorAll('ol.item-list > li .item-title')].map((e) => e.textContent);
    return t.slice(-4).join() === 'Papa,Sierra,Quebec,Romeo';
  });
  assert.ok(sent, 'the move was sent');
  assert.equal(await page.locator('ol.item-list > li.drop-target').count(), 0);
  // Meanwhile someone deletes the item it was dropped above, so the server refuses it.
  await call(context, 'items/delete', { slug, number: n.Quebec }, true);
  release();
  await page.getByRole('alert').filter({ hasText: `#${n.Sierra} was not moved` }).waitFor();
  assert.match(await page.getByRole('alert').filter({ hasText: 'was not moved' }).textContent(),
    new RegExp(`there is no item #${n.Quebec} here`));
  // Put back where it was, and the list is read again (Quebec is gone).
  await page.waitForFunction(() => {
    const t = [...document.querySelectorAll('ol.item-list > li .item-title')].map((e) => e.textContent);
    return t.slice(-3).join() === 'Papa,Romeo,Sierra';
  });
  await page.unroute('**/api/fn/items/move');
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.deepEqual((await order(page)).slice(-3), ['Papa', 'Romeo', 'Sierra']);
  await page.close();
});

test('a move made says so in a toast whose Undo puts the item back', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  for (const t of ['Tango', 'Uniform']) await quickAdd(page, t);
  const n = await numbers(page, ['Tango', 'Uniform']);
  const before = await order(page);
  await page.locator(`#top-${n.Uniform}`).focus();
  await page.keyboard.press('Enter');
  const toast = page.locator('.toast', { hasText: `Moved #${n.Uniform} to the top.` });
  await toast.waitFor();
  assert.equal((await order(page))[0], 'Uniform');
  // The move is the server's (the toast comes with its answer).
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.equal((await order(page))[0], 'Uniform');
  await page.locator(`#up-${n.Tango}`).focus();
  await page.keyboard.press('Enter');
  const moved = page.locator('.toast', { hasText: `Moved #${n.Tango} above` });
  await moved.waitFor();
  const afterUp = await order(page);
  await moved.getByRole('button', { name: 'Undo' }).click();
  await page.locator('.toast', { hasText: 'Undone.' }).waitFor();
  await page.waitForFunction((want) => {
    const t = [...document.querySelectorAll('ol.item-list > li .item-title')].map((e) => e.textContent);
    return t.join() === want;
  }, ['Uniform', ...before.filter((t) => t !== 'Uniform')].join());
  assert.notDeepEqual(afterUp, ['Uniform', ...before.filter((t) => t !== 'Uniform')]);
  await page.close();
});

test('an epic is sized on its own, and the forecast says which size counts', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await page.getByLabel('New item estimate').selectOption('21');
  await quickAdd(page, 'Online store', 'epic');
  const row = page.locator('ol.item-list > li', { hasText: 'Online store' });
  const number = await row.getAttribute('data-number');
  assert.equal(await row.locator(`#estimate-${number} .value`).textContent(), '21 · XXXL');
  // Resized from the backlog row: the value opens its menu in place.
  // The row shows 13 as soon as it is chosen; the reload waits for the save to answer.
  await row.locator(`#estimate-${number}`).click();
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/fn/items/update'));
  await row.locator(`select#estimate-${number}`).selectOption('13');
  assert.equal((await saved).status(), 200);
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.equal(await page.locator(`#estimate-${number} .value`).textContent(), '13 · XXL');

  // Not broken down yet: its own size is what the forecast counts.
  await openHydrated(page, `/p/${slug}/velocity`);
  const line = page.locator('table.forecast tr', { hasText: 'Online store' });
  await line.getByText('Counts its own size, 13 points: no child is estimated yet.').waitFor();
  assert.match(await line.locator('td').first().textContent(), /^13$/);

  // The item page edits its size, and a first estimated child takes over.
  await openHydrated(page, `/p/${slug}/items/${number}`);
  assert.equal(await page.getByLabel('Size of the epic').inputValue(), '13');
  await page.getByLabel('Child item estimate').selectOption('5');
  await page.getByLabel('Child item title').fill('Cart page');
  await page.getByLabel('Child item title').press('Enter');
  await page.getByRole('table', { name: 'Child items' }).getByRole('link', { name: 'Cart page' }).waitFor();
  await openHydrated(page, `/p/${slug}/velocity`);
  await line.getByText("Counts its children's points; its own size is 13 points.").waitFor();
  assert.match(await line.locator('td').first().textContent(), /^5$/);
  await page.close();
});
