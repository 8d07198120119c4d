// Planning poker in three browsers: the scrum master and two members (one of them on the
// second server process). Two items are estimated, one needs a second round, and the
// estimates land on the backlog. Votes stay hidden until the reveal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, BASE_2, PASSWORD, call, launch, openHydrated, signedInWithProject, unique } from './support.mjs';

let browser, owner, sam, mia, max, slug;
const numbers = {};
before(async () => {
  browser = await launch();
  owner = await browser.newContext();
  slug = await signedInWithProject(owner, 'Poker');
  const people = [];
  for (const [name, role] of [['Sam Scrum', 'scrum_master'], ['Mia Member', 'member'], ['Max Member', 'member']]) {
    const context = await browser.newContext();
    const email = `${name.split(' ')[0].toLowerCase()}-${unique()}@example.com`;
    await call(context, 'register', { email, display_name: name, password: PASSWORD });
    await call(owner, 'project/members/add', { slug, email, role });
    people.push(context);
  }
  [sam, mia, max] = people;
  for (const title of ['Checkout', 'Search']) {
    const res = await owner.request.post(`${BASE}/api/v1/projects/${slug}/items`, { data: { title } });
    assert.equal(res.status(), 201);
    numbers[title] = (await res.json()).number;
  }
});
after(async () => { await browser?.close(); });

const voted = (page, text) => page.getByTestId('current-round').getByTestId('poker-voted').filter({ hasText: text }).waitFor({ timeout: 5000 });

test('three people estimate two items; one needs a second round; the backlog has the estimates', async () => {
  const samPage = await sam.newPage();
  await openHydrated(samPage, `/p/${slug}/poker`);
  await samPage.getByTestId('no-session').waitFor();
  await samPage.getByRole('button', { name: 'Start planning poker' }).click();
  await samPage.getByRole('heading', { name: /Checkout$/ }).waitFor();

  const miaPage = await mia.newPage();
  const maxPage = await max.newPage();
  await openHydrated(miaPage, `/p/${slug}/poker`);
  await openHydrated(maxPage, `/p/${slug}/poker`, BASE_2);
  // The top of the backlog comes first (items added through the API join at the bottom).
  await miaPage.getByRole('heading', { name: /Checkout$/ }).waitFor();
  await maxPage.getByRole('heading', { name: /Checkout$/ }).waitFor();
  // Who is here, on every screen.
  await samPage.getByTestId('presence').getByRole('listitem', { name: 'Max Member' }).waitFor({ timeout: 5000 });
  await samPage.getByTestId('presence').getByRole('listitem', { name: 'Mia Member' }).waitFor({ timeout: 5000 });

  // Mia votes with the keyboard: "2" picks the second card, Enter sends it.
  await miaPage.keyboard.press('2');
  assert.equal(await miaPage.evaluate(() => document.activeElement?.id), 'card-2');
  await miaPage.keyboard.press('Enter');
  await miaPage.getByTestId('my-vote').filter({ hasText: 'You voted 2' }).waitFor();
  await maxPage.getByRole('button', { name: 'Vote 8 · XL' }).click();
  await maxPage.getByTestId('my-vote').filter({ hasText: 'You voted 8' }).waitFor();
  // Everyone sees who voted, nobody sees what.
  for (const page of [samPage, miaPage, maxPage]) await voted(page, 'Voted: Max Member, Mia Member.');
  for (const page of [samPage, miaPage, maxPage]) assert.equal(await page.getByTestId('poker-votes').count(), 0);

  // The scrum master reveals with "r": the outliers are named on every screen.
  await samPage.keyboard.press('r');
  for (const page of [samPage, miaPage, maxPage]) {
    await page.getByTestId('poker-votes').getByText('Max Member').waitFor({ timeout: 5000 });
  }
  const votes = await miaPage.getByTestId('poker-votes').getByRole('listitem').allTextContents();
  assert.deepEqual(votes, ['Max Member: 8 (highest: explain)', 'Mia Member: 2 (lowest: explain)']);

  // A second round: both say 5.
  await samPage.getByRole('button', { name: 'Another round' }).click();
  await miaPage.getByRole('heading', { name: /^Round 2/ }).waitFor({ timeout: 5000 });
  await maxPage.getByRole('heading', { name: /^Round 2/ }).waitFor({ timeout: 5000 });
  await miaPage.getByRole('button', { name: 'Vote 5 · LG' }).click();
  await maxPage.getByRole('button', { name: 'Vote 5 · LG' }).click();
  await voted(samPage, 'Voted: Max Member, Mia Member.');
  await samPage.getByRole('button', { name: 'Reveal the votes' }).click();
  await samPage.getByTestId('poker-spread').filter({ hasText: 'Everyone agrees: 5.' }).waitFor();
  assert.equal(await samPage.getByLabel('Estimate').inputValue(), '5');
  await samPage.getByRole('button', { name: 'Accept' }).click();

  // The next item: everyone agrees at once.
  await samPage.getByRole('heading', { name: /Search$/ }).waitFor();
  await miaPage.getByRole('heading', { name: /Search$/ }).waitFor({ timeout: 5000 });
  await maxPage.getByRole('heading', { name: /Search$/ }).waitFor({ timeout: 5000 });
  await miaPage.getByRole('button', { name: 'Vote 3 · MED' }).click();
  await maxPage.getByRole('button', { name: 'Vote 3 · MED' }).click();
  await voted(samPage, 'Voted: Max Member, Mia Member.');
  await samPage.getByRole('button', { name: 'Reveal the votes' }).click();
  await samPage.getByTestId('poker-spread').filter({ hasText: 'Everyone agrees: 3.' }).waitFor();
  await samPage.getByRole('button', { name: 'Accept' }).click();
  await samPage.getByTestId('poker-summary')
    .filter({ hasText: '2 items estimated, 8 points, 3 rounds; the first round agreed on 1 of 2.' }).waitFor();
  await maxPage.getByTestId('poker-summary').waitFor({ timeout: 5000 });

  // The estimates are on the backlog, and the history says how.
  await openHydrated(miaPage, `/p/${slug}/backlog`);
  const estimate = (title) => miaPage.locator(`#estimate-${numbers[title]} .value`);
  await estimate('Checkout').waitFor();
  assert.match(await estimate('Checkout').textContent(), /^5 · /);
  assert.match(await estimate('Search').textContent(), /^3 · /);
  await miaPage.getByRole('link', { name: 'Checkout', exact: true }).click();
  await miaPage.getByText('estimated in planning poker, round 2: 5, 5').waitFor();

  await samPage.getByRole('button', { name: 'End the session' }).click();
  await samPage.getByTestId('no-session').waitFor();
  for (const page of [samPage, maxPage]) await page.close();
  await miaPage.close();
});

test('the scrum master estimates a selection from the backlog', async () => {
  for (const title of ['Wishlist', 'Reviews']) {
    const res = await owner.request.post(`${BASE}/api/v1/projects/${slug}/items`, { data: { title } });
    numbers[title] = (await res.json()).number;
  }
  const page = await sam.newPage();
  // The backlog filtered to what has no estimate yet: the two new items.
  await openHydrated(page, `/p/${slug}/backlog?unestimated=true`);
  const link = page.getByTestId('poker-selection');
  await link.filter({ hasText: 'Estimate 2 items shown in planning poker' }).waitFor();
  await link.click();
  await page.getByTestId('poker-chosen')
    .filter({ hasText: `#${numbers.Wishlist}, #${numbers.Reviews}` }).waitFor();
  await page.getByRole('button', { name: 'Start planning poker' }).click();
  await page.getByRole('heading', { name: /Wishlist$/ }).waitFor();
  const queue = await page.getByTestId('poker-queue').getByRole('listitem').allTextContents();
  assert.equal(queue.length, 2, queue.join(' | '));
  assert.match(queue[1], /Reviews/);
  await page.getByRole('button', { name: 'End the session' }).click();
  await page.getByTestId('no-session').waitFor();
  await page.close();
});
