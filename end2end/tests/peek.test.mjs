// The item side panel (peek): a title on the backlog or the board opens the item beside the
// list, editable there (title, estimate, assignee, state, epic, description with its
// preview); the address keeps it, so a reload shows it again; Escape closes it and gives
// focus back to the title; the item's own page stays for links and a new tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, launch, openHydrated, signedInWithProject } from './support.mjs';

let browser, context, slug, epic, task, other;
before(async () => {
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  slug = await signedInWithProject(context, 'Peek');
  epic = (await call(context, 'items/create', { slug, item: { title: 'Payments', kind: 'epic' } }, true)).number;
  task = (await call(context, 'items/create', { slug, item: { title: 'Checkout', estimate: 3 } }, true)).number;
  other = (await call(context, 'items/create', { slug, item: { title: 'Search' } }, true)).number;
  const today = new Date();
  const day = (d) => d.toISOString().slice(0, 10);
  const sprint = await call(context, 'sprints/create', {
    slug, 'sprint[name]': 'Now', 'sprint[starts_on]': day(today),
    'sprint[ends_on]': day(new Date(today.getTime() + 13 * 86_400_000)),
  });
  await call(context, 'increments/commit', { slug, id: sprint.increments[0].id, items: [other], commit: true }, true);
});
after(async () => { await browser?.close(); });

const panel = (page) => page.locator('#peek');
// Titles open the panel once its code has arrived, just after the page is ready.
async function ready(page) {
  await page.locator('html[data-peek]').waitFor({ state: 'attached' });
}
const row = (page, n) => page.locator(`ol.item-list > li[data-number="${n}"]`);

test('a title on the backlog opens the item beside the list, editable there, and the address keeps it', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await ready(page);
  await row(page, task).locator('.item-title').click();
  await panel(page).getByRole('heading', { name: `#${task} Checkout` }).waitFor();
  // The list stays, the address says which item is open, and the panel has focus.
  assert.equal(new URL(page.url()).pathname, `/p/${slug}/backlog`);
  assert.equal(new URL(page.url()).searchParams.get('peek'), String(task));
  await row(page, other).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'peek');
  assert.equal(await panel(page).getByRole('link', { name: 'Open full page' }).getAttribute('href'),
    `/p/${slug}/items/${task}`);

  // Edited in place: title, estimate, state and the description, previewed first.
  const form = panel(page).getByRole('form', { name: 'Edit item' });
  await form.getByLabel('Title').fill('Checkout with cards');
  await form.getByLabel('Estimate').selectOption('5');
  await form.getByLabel('State').selectOption('doing');
  await form.getByLabel('Description (markdown)').fill(`Takes **every** card; see #${other}.`);
  await form.getByRole('button', { name: 'Preview' }).click();
  const preview = panel(page).getByTestId('description-preview');
  await preview.locator('strong', { hasText: 'every' }).waitFor();
  assert.equal(await preview.locator(`a[href="/p/${slug}/items/${other}"]`).count(), 1);
  assert.equal(await form.getByLabel('Description (markdown)').isHidden(), true);
  await form.getByRole('button', { name: 'Write' }).click();
  assert.equal(await form.getByLabel('Description (markdown)').inputValue(), `Takes **every** card; see #${other}.`);
  await form.getByRole('button', { name: 'Save changes' }).click();
  await panel(page).getByRole('heading', { name: `#${task} Checkout with cards` }).waitFor();
  await panel(page).getByTestId('item-estimate').filter({ hasText: /^5 · / }).waitFor();
  // The list behind follows, with no reload: the row shows the new title.
  await row(page, task).locator('.item-title', { hasText: 'Checkout with cards' }).waitFor();

  // A reload shows the panel again, with what was saved.
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  await panel(page).getByRole('heading', { name: `#${task} Checkout with cards` }).waitFor();
  await panel(page).locator('.markdown strong', { hasText: 'every' }).waitFor();
  assert.equal(await panel(page).getByTestId('item-state').textContent(), 'Doing');

  // Escape in a field leaves the field (what was typed stays); Escape again closes the
  // panel, takes it out of the address and gives focus back to the title it came from.
  await panel(page).getByLabel('Title').focus();
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.activeElement?.id !== 'edit-title');
  assert.equal(await panel(page).count(), 1);
  await page.keyboard.press('Escape');
  await panel(page).waitFor({ state: 'detached' });
  assert.equal(new URL(page.url()).searchParams.get('peek'), null);
  await page.waitForFunction((n) => document.activeElement?.closest('[data-row]')?.dataset.number === n, String(task));
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'item-title');

  // Enter on a focused title opens it too. Put under the epic there, the item leaves the
  // backlog's top level (it shows among the epic's children). Close closes the panel.
  await page.keyboard.press('Enter');
  await panel(page).getByRole('heading', { name: /Checkout with cards$/ }).waitFor();
  await form.locator(`#edit-epic option[value="${epic}"]`).waitFor({ state: 'attached' });
  await form.getByLabel('Epic').selectOption(String(epic));
  await form.getByRole('button', { name: 'Save changes' }).click();
  await panel(page).getByRole('link', { name: `Epic #${epic}` }).waitFor();
  await row(page, task).waitFor({ state: 'detached' });
  await panel(page).getByRole('button', { name: 'Close' }).click();
  await panel(page).waitFor({ state: 'detached' });
  // "Open full page" is the item's page.
  await row(page, other).locator('.item-title').click();
  await panel(page).getByRole('link', { name: 'Open full page' }).click();
  await page.waitForURL(`${BASE}/p/${slug}/items/${other}`);
  await page.getByRole('heading', { level: 1, name: /Search$/ }).waitFor();
  assert.equal(await panel(page).count(), 0);
  await openHydrated(page, `/p/${slug}/items/${task}`);
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: `Epic #${epic}` }).waitFor();
  await page.close();
});

test('a title with Ctrl held still opens the item\'s page; a card on the board opens the panel', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await ready(page);
  const [tab] = await Promise.all([
    context.waitForEvent('page'),
    row(page, other).locator('.item-title').click({ modifiers: ['Control'] }),
  ]);
  await tab.waitForURL(`${BASE}/p/${slug}/items/${other}`);
  await tab.close();
  assert.equal(await panel(page).count(), 0);
  assert.equal(new URL(page.url()).searchParams.get('peek'), null);

  await openHydrated(page, `/p/${slug}/board`);
  await ready(page);
  await page.locator(`#card-${other} .card-title`).click();
  await panel(page).getByRole('heading', { name: `#${other} Search` }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/p/${slug}/board`);
  await page.keyboard.press('Escape');
  await panel(page).waitFor({ state: 'detached' });
  await page.waitForFunction((n) => document.activeElement?.closest('[data-row]')?.dataset.number === n, String(other));
  await page.close();
});

test('on a phone the panel takes the screen\'s width and nothing reaches past it', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
  const page = await phone.newPage();
  await openHydrated(page, `/p/${slug}/backlog?peek=${task}`);
  await panel(page).getByRole('heading', { name: /Checkout with cards$/ }).waitFor();
  const box = await panel(page).boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 391, JSON.stringify(box));
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true);
  await phone.close();
});

test('an item deleted in the panel says so in a toast whose Undo takes it out of the trash', async () => {
  const doomed = (await call(context, 'items/create', { slug, item: { title: 'Doomed spike' } }, true)).number;
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog?peek=${doomed}`);
  await panel(page).getByRole('heading', { name: `#${doomed} Doomed spike` }).waitFor();
  await panel(page).getByRole('button', { name: 'Delete', exact: true }).click();
  const toast = page.locator('.toast', { hasText: `#${doomed} was moved to the trash.` });
  await toast.waitFor();
  await panel(page).getByText(`#${doomed} is in the trash.`).waitFor();
  await toast.getByRole('button', { name: 'Undo' }).click();
  await page.locator('.toast', { hasText: 'Undone.' }).waitFor();
  // Out of the trash: the panel offers Delete again, and the item is on the backlog.
  await panel(page).getByRole('button', { name: 'Delete', exact: true }).waitFor();
  assert.equal(await panel(page).getByText(`#${doomed} is in the trash.`).count(), 0);
  const detail = await call(context, 'items/detail', { slug, number: String(doomed) });
  assert.equal(detail.item.deleted, false);
  await page.reload();
  await row(page, doomed).waitFor();
  await page.close();
});

test('a double-click on a title renames the item in place, with no panel left open', async () => {
  const renamed = (await call(context, 'items/create', { slug, item: { title: 'Spike on caching' } }, true)).number;
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await ready(page);
  await row(page, renamed).locator('.item-title').dblclick();
  const field = row(page, renamed).locator('input.rename');
  await field.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'rename');
  assert.equal(await field.inputValue(), 'Spike on caching');
  await page.waitForFunction(() => !document.getElementById('peek') && !new URL(location.href).searchParams.has('peek'));
  await field.fill('Spike on HTTP caching');
  await page.keyboard.press('Enter');
  await row(page, renamed).locator('.item-title', { hasText: 'Spike on HTTP caching' }).waitFor();
  assert.equal(await field.count(), 0);
  const detail = await call(context, 'items/detail', { slug, number: String(renamed) });
  assert.equal(detail.item.title, 'Spike on HTTP caching');
  await page.close();
});
