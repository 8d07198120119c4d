// The stand-up and the reflection in the browser: two members' work appears on the next
// day's stand-up, with a note; the scrum master runs the time box; a reflection card is
// voted up and turned into a backlog item.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, call, launch, openHydrated, unique } from './support.mjs';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// "Monday Nov 30, 2026": a UTC day as the stand-up's heading writes it.
function dayText(d) {
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

let browser, alice, bob, slug, increment;
const id = unique();
const aliceEmail = `alice-${id}@example.com`;
const bobEmail = `bob-${id}@example.com`;

async function item(context, title, assignee) {
  const created = await call(context, 'items/create',
    { slug, item: { title, estimate: 3, assignee } }, true);
  return created.number;
}

async function change(context, number, patch) {
  const detail = await call(context, 'items/detail', { slug, number: String(number) });
  await call(context, 'items/update',
    { slug, number, patch: { version: detail.item.version, ...patch } }, true);
}

before(async () => {
  browser = await launch();
  alice = await browser.newContext();
  bob = await browser.newContext();
  await call(bob, 'register', { email: bobEmail, display_name: 'Bob Builder', password: PASSWORD });
  await call(alice, 'register', { email: aliceEmail, display_name: 'Alice Adams', password: PASSWORD });
  slug = (await call(alice, 'projects/create', { name: `Standup ${id}` })).slug;
  await call(alice, 'project/members/add', { slug, email: bobEmail, role: 'member' });
  // Everyone works every day here, so "yesterday" is always the day before.
  const project = await call(alice, 'project/detail', { slug });
  await call(alice, 'project/settings',
    { slug, settings: { ...project.settings, working_days: [1, 2, 3, 4, 5, 6, 7] } }, true);
  const sprint = await call(alice, 'sprints/create', {
    slug, 'sprint[name]': 'Q1', 'sprint[starts_on]': '2026-01-05', 'sprint[ends_on]': '2026-01-30',
  });
  increment = sprint.increments[0].id;
});
after(async () => { await browser?.close(); });

test("two members' work shows on the next day's stand-up", async () => {
  const cart = await item(alice, 'Cart', aliceEmail);
  const search = await item(alice, 'Search', bobEmail);
  await call(alice, 'increments/commit', { slug, id: increment, items: [cart, search], commit: true }, true);
  await call(alice, 'increments/start', { slug, id: String(increment) });
  await change(alice, cart, { state: 'done' });
  // Search is blocked: the stand-up shows how long, which once read the clock in the
  // browser and killed the page.
  await change(bob, search, { state: 'doing', blocked: true, blocked_reason: 'API down' });
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

  // Bob prepares his note for tomorrow's meeting in the browser.
  const page = await bob.newPage();
  await openHydrated(page, `/p/${slug}/standup?date=${tomorrow}`);
  await page.getByLabel('Yesterday', { exact: true }).fill('Search index');
  await page.getByLabel('Today', { exact: true }).fill('Search results page');
  await page.getByLabel('Blockers', { exact: true }).fill('None');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/fn/standup/note'));
  await page.getByRole('button', { name: 'Save note' }).click();
  assert.equal((await saved).status(), 200);
  await page.close();

  // Alice opens tomorrow's stand-up.
  const view = await alice.newPage();
  await openHydrated(view, `/p/${slug}/standup?date=${tomorrow}`);
  const aliceSection = view.locator(`section[data-email="${aliceEmail}"]`);
  const bobSection = view.locator(`section[data-email="${bobEmail}"]`);
  await aliceSection.locator('li', { hasText: 'Cart' }).getByText('Done').waitFor();
  assert.match(await bobSection.textContent(), /Search/);
  assert.match(await bobSection.locator('li', { hasText: 'Search' }).first().textContent(), /changed state/);
  // Search is in progress for Bob today, blocked, and his note is there.
  await bobSection.getByTestId('note').getByText('Search results page').waitFor();
  await bobSection.getByText('API down (for under an hour)').first().waitFor();

  // The scrum master runs the meeting: 15 minutes shared, one person shown at a time.
  const sections = { 'Alice Adams': aliceSection, 'Bob Builder': bobSection };
  const speaker = view.locator('.timer strong');
  await view.getByRole('button', { name: 'Start the 15-minute stand-up' }).click();
  await speaker.waitFor();
  const first = (await speaker.textContent()).replace(' is speaking', '');
  const second = first === 'Alice Adams' ? 'Bob Builder' : 'Alice Adams';
  assert.equal(await sections[first].isVisible(), true);
  assert.equal(await sections[second].isVisible(), false);
  await view.getByRole('button', { name: 'Next person' }).click();
  await view.getByText(`${second} is speaking`).waitFor();
  // The board, filtered to the person speaking.
  const board = view.getByTestId('speaker-board');
  const [cartColumn, searchColumn] = ['[data-column="done"]', '[data-column="doing"]'];
  const shown = second === 'Bob Builder' ? [searchColumn, 'Search', 'Cart'] : [cartColumn, 'Cart', 'Search'];
  await board.locator(shown[0]).getByText(shown[1]).waitFor();
  assert.equal(await board.getByText(shown[2]).count(), 0);
  assert.equal(await sections[second].isVisible(), true);
  assert.equal(await sections[first].isVisible(), false);
  assert.match(await view.getByTestId('meeting-time').textContent(), /^1[45]:\d\d$/);
  await view.getByRole('button', { name: 'End the stand-up' }).click();
  await aliceSection.waitFor();
  await view.close();
});

test('a reflection card voted up becomes a backlog item', async () => {
  // The increment started in the stand-up test is the one reflected on.
  const page = await alice.newPage();
  await openHydrated(page, `/p/${slug}/reflection?week=1`);
  await page.getByLabel('New card under Action items').fill('Automate the deploy');
  await page.getByLabel('New card under Action items').press('Enter');
  const card = page.locator('section[data-kind="action"] li.reflection-card', { hasText: 'Automate the deploy' });
  await card.waitFor();
  await card.getByRole('button', { name: /^Vote for/ }).click();
  await card.getByTestId('votes').filter({ hasText: '1 vote' }).waitFor();
  await page.locator('#votes-left').filter({ hasText: 'You have 4 of 5 votes left' }).waitFor();
  await card.getByRole('button', { name: 'Make it a backlog item' }).click();
  const link = card.getByRole('link', { name: /Backlog item #\d+/ });
  await link.waitFor();
  await link.click();
  await page.getByRole('heading', { name: /Automate the deploy/ }).waitFor();
  await page.getByText('Action item from the reflection on Q1 · 1, week 1').waitFor();
  await page.close();
});

test("the stand-up goes by the server's day whatever the browser's clock says", async () => {
  // A browser fourteen hours ahead of UTC whose clock is also a day and a half fast: on
  // the server it is still today.
  const context = await browser.newContext({ timezoneId: 'Pacific/Kiritimati' });
  await context.clock.setFixedTime(new Date(Date.now() + 36 * 3_600_000));
  await context.request.post(`${BASE}/api/fn/log_in`, { form: { email: aliceEmail, password: PASSWORD } });
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/standup`);
  await page.getByRole('heading', { name: `Stand-up · ${dayText(new Date())}` }).waitFor();
  // Bob's blocker (from the first test) with its age, counted by the server.
  const bobSection = page.locator(`section[data-email="${bobEmail}"]`);
  await bobSection.getByText(/API down \(for (under an hour|\d+ h)\)/).first().waitFor();
  // The page is alive: run mode starts, and navigating away and back renders it again.
  await page.getByRole('button', { name: 'Start the 15-minute stand-up' }).click();
  await page.locator('.timer strong').waitFor();
  await page.getByRole('button', { name: 'End the stand-up' }).click();
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Board' }).click();
  await page.getByRole('heading', { name: /^Board/ }).waitFor();
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Stand-up' }).click();
  await page.getByRole('heading', { name: `Stand-up · ${dayText(new Date())}` }).waitFor();
  await bobSection.getByText(/API down/).first().waitFor();
  await context.close();
});
