// Live updates: two people on the same project, each in their own browser. What one does
// appears in the other's page without a reload; an item someone is editing is not
// overwritten but says it was changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, call, launch, openHydrated, signedInWithProject, unique } from './support.mjs';

let browser, ann, bob, slug;
before(async () => {
  browser = await launch();
  ann = await browser.newContext();
  bob = await browser.newContext();
  slug = await signedInWithProject(ann, 'Live');
  const email = `bob-${unique()}@example.com`;
  await call(bob, 'register', { email, display_name: 'Bob Builder', password: PASSWORD });
  await call(ann, 'project/members/add', { slug, email, role: 'member' });
});
after(async () => { await browser?.close(); });

async function quickAdd(page, title) {
  const input = page.getByLabel('New item title');
  await input.fill(title);
  await input.press('Enter');
  await page.getByRole('link', { name: title, exact: true }).waitFor();
}

const titles = (page) => page.locator('ol.item-list > li .item-title').allTextContents();

test('a card added and moved by keyboard in one browser moves in the other', async () => {
  const annPage = await ann.newPage();
  const bobPage = await bob.newPage();
  await openHydrated(annPage, `/p/${slug}/backlog`);
  await openHydrated(bobPage, `/p/${slug}/backlog`);
  await bobPage.getByTestId('live-mark').filter({ hasText: 'Live' }).waitFor();
  await annPage.getByTestId('live-mark').filter({ hasText: 'Live' }).waitFor();

  for (const t of ['Alpha', 'Bravo', 'Charlie']) await quickAdd(annPage, t);
  // Bob did nothing: the items arrive by themselves.
  await bobPage.getByRole('link', { name: 'Charlie', exact: true }).waitFor({ timeout: 5000 });
  assert.deepEqual(await titles(bobPage), ['Alpha', 'Bravo', 'Charlie']);

  // Ann moves Charlie to the top with the keyboard.
  const number = await annPage.locator('ol.item-list > li', { hasText: 'Charlie' }).getAttribute('data-number');
  await annPage.locator(`#top-${number}`).focus();
  await annPage.keyboard.press('Enter');
  await bobPage.waitForFunction(() =>
    document.querySelector('ol.item-list > li .item-title')?.textContent === 'Charlie',
  null, { timeout: 5000 });
  assert.deepEqual(await titles(bobPage), ['Charlie', 'Alpha', 'Bravo']);
  await annPage.close();
  await bobPage.close();
});

test('an item open in an editor is not overwritten: it says who changed it', async () => {
  const annPage = await ann.newPage();
  await openHydrated(annPage, `/p/${slug}/backlog`);
  await quickAdd(annPage, 'Delta');
  const number = await annPage.locator('ol.item-list > li', { hasText: 'Delta' }).getAttribute('data-number');

  const bobPage = await bob.newPage();
  await openHydrated(bobPage, `/p/${slug}/items/${number}`);
  await bobPage.getByTestId('live-mark').filter({ hasText: 'Live' }).waitFor();
  const title = bobPage.getByLabel('Title', { exact: true });
  await title.fill('Delta, as Bob would have it');

  // Ann renames it through the JSON API meanwhile.
  const detail = await (await ann.request.get(`${BASE}/api/v1/projects/${slug}/items/${number}`)).json();
  const res = await ann.request.patch(`${BASE}/api/v1/projects/${slug}/items/${number}`,
    { data: { version: detail.item.version, title: 'Delta by Ann' } });
  assert.equal(res.status(), 200);

  const notice = bobPage.getByTestId('changed-elsewhere');
  await notice.filter({ hasText: /changed by Test User just now/ }).waitFor({ timeout: 5000 });
  assert.equal(await title.inputValue(), 'Delta, as Bob would have it', 'what Bob typed stays');
  await notice.getByRole('button', { name: 'Show the changes' }).click();
  await bobPage.getByRole('heading', { name: /Delta by Ann/ }).waitFor();
  await annPage.close();
  await bobPage.close();
});
