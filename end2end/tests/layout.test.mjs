// The app shell: a sidebar with the project's pages and its current increment at a
// desktop's width, a menu over the page at a phone's, and no page wider than the screen at
// either (checked element by element, not by eye).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, openHydrated, call, signedInWithProject } from './support.mjs';

let browser;
let owner;
let slug;
let increment;
let task;
let pages;
let daysLeft;
before(async () => {
  browser = await launch();
  owner = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  slug = await signedInWithProject(owner, 'Layout');
  const epic = (await call(owner, 'items/create', { slug, item: { title: 'A checkout that takes every card the shop is offered, with a long title to wrap', kind: 'epic', estimate: 21 } }, true)).number;
  task = (await call(owner, 'items/create', { slug, item: { title: 'Averyveryverylongwordwithoutanyspacesthatmustnotpushthepagewiderthanthescreen', parent: epic, estimate: 5 } }, true)).number;
  await call(owner, 'items/create', { slug, item: { title: 'Search', estimate: 3 } }, true);
  // An increment running today: its first day is today, two weeks long.
  const today = new Date();
  const end = new Date(today.getTime() + 13 * 86_400_000);
  const day = (d) => d.toISOString().slice(0, 10);
  const sprint = await call(owner, 'sprints/create', {
    slug, 'sprint[name]': 'Now', 'sprint[starts_on]': day(today), 'sprint[ends_on]': day(end),
  });
  increment = sprint.increments[0].id;
  // Business days from today to the increment's last day, both counted (Monday to Friday).
  daysLeft = 0;
  for (let d = new Date(day(today)); day(d) <= sprint.increments[0].ends_on; d = new Date(d.getTime() + 86_400_000)) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) daysLeft += 1;
  }
  await call(owner, 'increments/commit', { slug, id: increment, items: [task], commit: true }, true);
  pages = ['/projects', '/account', '/inbox', `/p/${slug}`, `/p/${slug}/backlog`, `/p/${slug}/items/${task}`,
    `/p/${slug}/board`, `/p/${slug}/sprints`, `/p/${slug}/increments/${increment}`, `/p/${slug}/planning`,
    `/p/${slug}/velocity`, `/p/${slug}/standup`, `/p/${slug}/reflection`, `/p/${slug}/members`,
    `/p/${slug}/settings`, `/p/${slug}/poker`, `/p/${slug}/backlog?peek=${task}`, `/p/${slug}/board?peek=${task}`];
});
after(async () => { await browser?.close(); });

// Visible elements reaching past the viewport's right edge (outside any element that
// scrolls or clips them), and whether the page itself scrolls sideways.
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const clipped = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o !== 'visible') return true;
      }
      return false;
    };
    const wide = [...document.body.querySelectorAll('*')]
      .filter((el) => {
        const box = el.getBoundingClientRect();
        // checkVisibility: not inside a closed <details> or a hidden menu either.
        return box.width > 0 && box.height > 0 && el.checkVisibility({ visibilityProperty: true })
          && (box.right > width + 1 || box.left < -1) && !clipped(el)
          && !el.classList.contains('skip-link') && !el.closest('.visually-hidden');
      })
      .map((el) => `${el.tagName.toLowerCase()}${el.getAttribute('id') ? '#' + el.getAttribute('id') : ''}${el.getAttribute('class') ? '.' + el.getAttribute('class').split(' ').join('.') : ''} (${Math.round(el.getBoundingClientRect().left)}–${Math.round(el.getBoundingClientRect().right)} of ${width})`);
    const scrolls = document.documentElement.scrollWidth > width;
    // The sidebar scrolls up and down, so what it holds counts as clipped above: it must
    // not need to scroll sideways.
    const sidebar = document.getElementById('app-nav');
    if (sidebar.checkVisibility() && sidebar.scrollWidth > sidebar.clientWidth) {
      wide.push(`the sidebar's content is ${sidebar.scrollWidth}px wide in ${sidebar.clientWidth}px`);
    }
    return { wide: wide.slice(0, 5), scrolls };
  });
}

async function everyPageFits(page, width) {
  const problems = [];
  for (const path of pages) {
    await openHydrated(page, path);
    // The item panel is drawn once its code has arrived.
    if (path.includes('peek=')) await page.locator('#peek .peek-title').waitFor();
    const { wide, scrolls } = await overflow(page);
    if (scrolls) problems.push(`${path} at ${width}px scrolls sideways`);
    for (const el of wide) problems.push(`${path} at ${width}px: ${el}`);
  }
  assert.deepEqual(problems, []);
}

test('at 1440 px the sidebar holds the project, its increment and its pages, and no page overflows', async () => {
  const page = await owner.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  const sidebar = page.locator('#app-nav');
  assert.ok(await sidebar.isVisible(), 'the sidebar shows at a desktop width');
  assert.equal(await page.getByRole('button', { name: 'Menu' }).isVisible(), false);
  assert.equal(await sidebar.locator('.increment-now').textContent(), `Now · 1${daysLeft} days left`);
  assert.match(await sidebar.locator('.switcher summary').textContent(), /Layout/);
  // The board uses the whole width; a reading page keeps its measure.
  await sidebar.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Board' }).click();
  await page.waitForURL(`${BASE}/p/${slug}/board`);
  await page.locator('.board').first().waitFor();
  const boardWidth = await page.locator('#main').evaluate((m) => m.getBoundingClientRect().width);
  assert.ok(boardWidth > 1100, `the board has ${boardWidth}px`);
  assert.equal(await page.getByRole('link', { name: 'Board', exact: true }).getAttribute('aria-current'), 'page');
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Settings' }).click();
  await page.waitForURL(`${BASE}/p/${slug}/settings`);
  await page.getByRole('heading', { name: /^Settings of/ }).waitFor();
  const readingWidth = await page.locator('#main').evaluate((m) => m.getBoundingClientRect().width);
  assert.ok(readingWidth <= 1024, `a reading page has ${readingWidth}px`);
  await everyPageFits(page, 1440);
  await page.close();
});

test('the project switcher goes to another project', async () => {
  const other = await call(owner, 'projects/create', { name: `Other ${Date.now()}` });
  const page = await owner.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  await page.locator('.switcher summary').click();
  await page.locator('.switcher').getByRole('link', { name: other.name }).click();
  await page.waitForURL(`${BASE}/p/${other.slug}`);
  await page.locator('.switcher summary').filter({ hasText: other.name }).waitFor();
  assert.equal(await page.locator('.switcher').getAttribute('open'), null, 'the switcher closes');
  assert.match(await page.locator('.increment-now').textContent(), /No increment running/);
  // A new project's pages say what to do first.
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Backlog' }).click();
  await page.getByText('The backlog is empty. Start with an epic').waitFor();
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Board' }).click();
  await page.locator('.empty').getByRole('link', { name: 'create a sprint' }).waitFor();
  await page.close();
});

test('at 390 px the sidebar is a menu that closes on a link, and no page overflows', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await owner.storageState() });
  const page = await phone.newPage();
  await openHydrated(page, `/p/${slug}/backlog`);
  const sidebar = page.locator('#app-nav');
  assert.equal(await sidebar.isVisible(), false, 'the sidebar is out of the way');
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.click();
  await sidebar.waitFor();
  await sidebar.getByRole('link', { name: 'Board' }).click();
  await page.waitForURL(`${BASE}/p/${slug}/board`);
  await sidebar.waitFor({ state: 'hidden' });
  // Escape closes the menu too, and the keyboard reaches the button.
  await menu.focus();
  await page.keyboard.press('Enter');
  await sidebar.waitFor();
  await page.keyboard.press('Escape');
  await sidebar.waitFor({ state: 'hidden' });
  await everyPageFits(page, 390);
  await phone.close();
});

test('the sidebar can be hidden at a desktop width, and pinned again', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, storageState: await owner.storageState() });
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/board`);
  await page.getByRole('button', { name: 'Hide' }).click();
  await page.waitForURL(`${BASE}/p/${slug}/board`);
  await page.getByRole('button', { name: 'Pin the sidebar' }).waitFor();
  assert.equal(await page.locator('#app-nav').isVisible(), false);
  // Still a menu, and still hidden after a reload.
  await openHydrated(page, `/p/${slug}/backlog`);
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.locator('#app-nav').getByRole('link', { name: 'Sprints' }).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Pin the sidebar' }).click();
  await page.waitForURL(`${BASE}/p/${slug}/backlog`);
  await page.locator('#app-nav').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Pin the sidebar' }).isVisible(), false);
  await context.close();
});
