// The command palette (Ctrl-K): a page, an item by number or by words of its title, and an
// action, all from the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, openHydrated, call, signedInWithProject } from './support.mjs';

let browser;
let context;
let slug;
before(async () => {
  browser = await launch();
  context = await browser.newContext();
  slug = await signedInWithProject(context, 'Palette');
  await call(context, 'items/create', { slug, item: { title: 'Checkout page', estimate: 3 } }, true);
  await call(context, 'items/create', { slug, item: { title: 'Cart badge', estimate: 2 } }, true);
});
after(async () => { await browser?.close(); });

async function palette(page, text) {
  await page.keyboard.press('Control+k');
  const input = page.getByRole('combobox', { name: /Go to a page/ });
  await input.waitFor();
  assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'the palette has focus');
  await input.fill(text);
  return input;
}

const selected = (page) => page.locator('#palette [role="option"][aria-selected="true"]');

test('Ctrl-K goes to a page, to an item by number and by title, and runs an action', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);

  // A page, by part of its name.
  await palette(page, 'boa');
  assert.match(await selected(page).textContent(), /^Board/);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/p/${slug}/board`);
  await page.locator('#palette').waitFor({ state: 'hidden' });

  // An item by its number.
  await palette(page, '#2');
  assert.match(await selected(page).textContent(), /Open item #2/);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/p/${slug}/items/2`);
  await page.getByRole('heading', { name: /Cart badge/ }).waitFor();

  // An item by words of its title, found on the server; arrows move the choice.
  await palette(page, 'checkout');
  const found = page.locator('#palette [role="option"]', { hasText: '#1 Checkout page' });
  await found.waitFor();
  for (let tries = 0; (await selected(page).textContent()).indexOf('#1 Checkout page') < 0; tries += 1) {
    assert.ok(tries < 20, 'the arrows reach the item found');
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/p/${slug}/items/1`);

  // An action: create an item, from a page without the field (it goes to the backlog's).
  await palette(page, 'create');
  assert.match(await selected(page).textContent(), /Create an item/);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/p/${slug}/backlog`);
  const create = page.locator('[data-shortcut="create"]');
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-shortcut') === 'create');
  await page.keyboard.type('From the palette');
  await page.keyboard.press('Enter');
  await page.locator('[data-row]', { hasText: 'From the palette' }).waitFor();
  assert.equal(await create.inputValue(), '');
  await page.close();
});

test('the palette opens from a field, letters typed in it are not shortcuts, and Escape closes it', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await page.locator('[data-shortcut="search"]').focus();
  await palette(page, '');
  // "c", typed key by key, goes into the palette, not to the create field.
  await page.keyboard.type('c');
  assert.equal(await page.locator('#palette-input').inputValue(), 'c');
  assert.equal(await page.locator('[data-shortcut="create"]').evaluate((el) => el === document.activeElement), false);
  await page.locator('#palette-input').fill('nothing like this at all');
  await page.getByText('Nothing matches.').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#palette').waitFor({ state: 'hidden' });
  // Opened again, it starts empty with every page on offer.
  const input = await palette(page, '');
  assert.equal(await input.inputValue(), '');
  assert.ok(await page.locator('#palette [role="option"]', { hasText: 'Velocity' }).count() >= 1);
  await page.keyboard.press('Escape');
  await page.close();
});
