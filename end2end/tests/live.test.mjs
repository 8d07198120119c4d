// Live updates: two people on the same project, each in their own browser and each on a
// different server process over the same database (Ann on the first, Bob on the second).
// What one does appears in the other's page without a reload; what someone is typing is
// not overwritten; the board shows who is looking at it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, BASE_2, PASSWORD, call, launch, openHydrated, signedInWithProject, unique } from './support.mjs';

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
const live = (page) => page.getByTestId('live-mark').filter({ hasText: /^Live/ }).waitFor();

test('a card added and moved by keyboard in one browser moves in the other', async () => {
  const annPage = await ann.newPage();
  const bobPage = await bob.newPage();
  await openHydrated(annPage, `/p/${slug}/backlog`);
  await openHydrated(bobPage, `/p/${slug}/backlog`, BASE_2);
  await live(bobPage);
  await live(annPage);

  for (const t of ['Alpha', 'Bravo', 'Charlie']) await quickAdd(annPage, t);
  // Bob did nothing: the items arrive by themselves, through the other server process.
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

  // Bob is on Bravo's "move to top" button when Ann adds another item: his list is
  // redrawn, and he is still where he was.
  const bravo = await bobPage.locator('ol.item-list > li', { hasText: 'Bravo' }).getAttribute('data-number');
  await bobPage.locator(`#top-${bravo}`).focus();
  await quickAdd(annPage, 'Echo');
  await bobPage.getByRole('link', { name: 'Echo', exact: true }).waitFor({ timeout: 5000 });
  await bobPage.waitForFunction((id) => document.activeElement?.id === id, `top-${bravo}`, { timeout: 3000 });
  await annPage.close();
  await bobPage.close();
});

test('the board shows who has it open, and forgets who left', async () => {
  const annPage = await ann.newPage();
  const bobPage = await bob.newPage();
  await openHydrated(annPage, `/p/${slug}/board`);
  await live(annPage);
  const here = annPage.getByTestId('presence');
  await here.getByText('TU').waitFor();
  assert.equal(await here.getByRole('listitem').count(), 1, 'Ann alone');

  await openHydrated(bobPage, `/p/${slug}/board`, BASE_2);
  await live(bobPage);
  // Both boards show both people, each marked for who is reading.
  await here.getByRole('listitem', { name: 'Bob Builder' }).waitFor({ timeout: 5000 });
  await bobPage.getByTestId('presence').getByRole('listitem', { name: 'Test User' }).waitFor({ timeout: 5000 });
  await bobPage.getByTestId('presence').getByRole('listitem', { name: 'Bob Builder (you)' }).waitFor();
  assert.equal(await here.getByRole('listitem').count(), 2);

  // Bob goes to the backlog: he is no longer on the board.
  await bobPage.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Backlog' }).click();
  await bobPage.getByLabel('New item title').waitFor();
  await annPage.waitForFunction(() =>
    document.querySelectorAll('[data-testid="presence"] li').length === 1, null, { timeout: 5000 });
  await annPage.close();
  await bobPage.close();
});

test('an item open in an editor is not overwritten: it says who changed it and what', async () => {
  const annPage = await ann.newPage();
  await openHydrated(annPage, `/p/${slug}/backlog`);
  await quickAdd(annPage, 'Delta');
  const number = await annPage.locator('ol.item-list > li', { hasText: 'Delta' }).getAttribute('data-number');

  const bobPage = await bob.newPage();
  await openHydrated(bobPage, `/p/${slug}/items/${number}`, BASE_2);
  await live(bobPage);
  const title = bobPage.getByLabel('Title', { exact: true });
  await title.fill('Delta, as Bob would have it');

  // Ann renames and estimates it through the JSON API meanwhile.
  const detail = await (await ann.request.get(`${BASE}/api/v1/projects/${slug}/items/${number}`)).json();
  const res = await ann.request.patch(`${BASE}/api/v1/projects/${slug}/items/${number}`,
    { data: { version: detail.item.version, title: 'Delta by Ann', estimate: 3 } });
  assert.equal(res.status(), 200);

  const notice = bobPage.getByTestId('changed-elsewhere');
  await notice.filter({ hasText: /changed by Test User just now/ }).waitFor({ timeout: 5000 });
  const changes = await notice.getByRole('list', { name: 'What is new' }).getByRole('listitem').allTextContents();
  assert.equal(changes[0], 'Title: Delta by Ann');
  assert.match(changes[1], /^Estimate: 3\b/);
  assert.equal(changes.length, 2, changes.join('; '));
  assert.equal(await title.inputValue(), 'Delta, as Bob would have it', 'what Bob typed stays');
  await notice.getByRole('button', { name: 'Take the new version' }).click();
  await bobPage.getByRole('heading', { name: /Delta by Ann/ }).waitFor();
  assert.equal(await title.inputValue(), 'Delta by Ann');
  assert.equal(await notice.textContent(), '', 'the notice is gone');

  // Bob's own save is not "changed by someone".
  await title.fill('Delta, final');
  await bobPage.getByRole('button', { name: 'Save changes' }).click();
  await bobPage.getByRole('heading', { name: /Delta, final/ }).waitFor();
  await bobPage.waitForTimeout(500);
  assert.equal(await notice.textContent(), '');
  await annPage.close();
  await bobPage.close();
});

test('a reflection card added by one person appears for the other, after what they type is sent', async () => {
  const sprint = await call(ann, 'sprints/create', {
    slug, 'sprint[name]': 'Q1', 'sprint[starts_on]': '2026-01-05', 'sprint[ends_on]': '2026-01-30',
  });
  const increment = sprint.increments[0].id;
  const path = `/p/${slug}/reflection?increment=${increment}&week=1`;
  const bobPage = await bob.newPage();
  await openHydrated(bobPage, path, BASE_2);
  await live(bobPage);
  const add = (body) => call(ann, 'reflection/add', { slug, increment: String(increment), week: '1', kind: 'went_well', body });
  const column = bobPage.locator('section[data-kind="went_well"]');

  await add('Pairing on the cart');
  await column.getByText('Pairing on the cart').waitFor({ timeout: 5000 });

  // Bob is typing a card: Ann's next card waits rather than redraw his form.
  const input = bobPage.getByLabel('New card under Action items');
  await input.fill('Automate the dep');
  await add('Fast reviews');
  await bobPage.getByTestId('live-mark').filter({ hasText: 'changes wait until you save' }).waitFor({ timeout: 5000 });
  assert.equal(await column.getByText('Fast reviews').count(), 0);
  assert.equal(await input.inputValue(), 'Automate the dep');
  await input.fill('Automate the deploy');
  await input.press('Enter');
  // Sent: his card and Ann's both show.
  await bobPage.locator('section[data-kind="action"]').getByText('Automate the deploy').waitFor();
  await column.getByText('Fast reviews').waitFor({ timeout: 5000 });
  await bobPage.close();
});
