// Every text a user writes that a page shows, written as markup: names, project, items,
// reasons, sprint, chart labels, holidays, cards, notes, topics, token names. In a real
// browser, on every page that shows them (and in the page <title>), the markup is shown as
// text: no element is made from it and no script runs. The pages' Content-Security-Policy
// would block an inline script anyway, so the test looks for what escaping prevents: the
// injected elements themselves, and any policy violation (a blocked attempt).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, call, launch, unique } from './support.mjs';

// A marker attribute on every element the markup would make, so the test can look for it.
// Short fields (names: 80 characters) get an image with an error handler, long ones a
// script as well, and chart labels (30) a bold tag.
const img = (where) => `<img data-xss=${where} src=x onerror=window.__xss='${where}'>`;
const payload = (where) => `${img(where)}<script data-xss=${where}>window.__xss='${where}'</script>`;
const bold = (where) => `<b data-xss=${where}>x</b>`;

let browser, owner, slug, task, increment;
const id = unique();

before(async () => {
  browser = await launch();
  owner = await browser.newContext();
  await owner.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`);
    });
  });
  const ownerEmail = `xss-${id}@example.com`;
  await call(owner, 'register', { email: ownerEmail, display_name: img('name'), password: PASSWORD });
  slug = (await call(owner, 'projects/create', { name: `P ${img('project')}` })).slug;
  const other = await browser.newContext();
  const otherEmail = `xss-member-${id}@example.com`;
  await call(other, 'register', { email: otherEmail, display_name: img('member'), password: PASSWORD });
  await call(owner, 'project/members/add', { slug, email: otherEmail, role: 'member' });
  await other.close();

  const project = await call(owner, 'project/detail', { slug });
  const chart = project.settings.effort_chart.map((v, i) => (i === 2 ? { ...v, label: bold('chart') } : v));
  const today = new Date().toISOString().slice(0, 10);
  await call(owner, 'project/settings', {
    slug,
    settings: {
      ...project.settings, effort_chart: chart, working_days: [1, 2, 3, 4, 5, 6, 7],
      holidays: [{ date: '2026-12-25', name: img('holiday') }],
    },
  }, true);
  task = (await call(owner, 'items/create', {
    slug, item: { title: payload('title'), description: payload('description'), estimate: 2, assignee: otherEmail },
  }, true)).number;
  const detail = await call(owner, 'items/detail', { slug, number: String(task) });
  await call(owner, 'items/update', {
    slug, number: task,
    patch: { version: detail.item.version, state: 'doing', blocked: true, blocked_reason: payload('reason') },
  }, true);
  const sprint = await call(owner, 'sprints/create', {
    slug, 'sprint[name]': img('sprint'), 'sprint[starts_on]': today, 'sprint[ends_on]': today,
  });
  increment = sprint.increments[0].id;
  await call(owner, 'increments/commit', { slug, id: increment, items: [task], commit: true }, true);
  await call(owner, 'reflection/add', { slug, increment, week: 1, kind: 'went_well', body: payload('card') });
  await call(owner, 'standup/note', {
    slug, date: today, yesterday: payload('yesterday'), today: payload('today'), blockers: payload('blockers'),
  });
  await call(owner, 'parking_lot/add', { slug, title: payload('topic') });
  await call(owner, 'account/tokens/create', { name: img('token') });
});
after(async () => { await browser?.close(); });

test('markup in everything a user writes is shown as text, and no script runs', async () => {
  const page = await owner.newPage();
  const pages = ['/projects', '/account', `/p/${slug}`, `/p/${slug}/backlog`, `/p/${slug}/items/${task}`,
    `/p/${slug}/board`, `/p/${slug}/sprints`, `/p/${slug}/increments/${increment}`, `/p/${slug}/planning`,
    `/p/${slug}/velocity`, `/p/${slug}/standup`, `/p/${slug}/reflection?increment=${increment}&week=1`,
    `/p/${slug}/members`, `/p/${slug}/settings`];
  const problems = [];
  let shownAsText = 0;
  for (const path of pages) {
    await page.goto(BASE + path);
    await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
    const found = await page.evaluate(() => ({
      injected: [...document.querySelectorAll('[data-xss]')].map((e) => `<${e.tagName.toLowerCase()}> from ${e.dataset.xss}`),
      ran: window.__xss ?? null,
      violations: window.__violations,
      title: document.title,
      text: document.body.innerText,
    }));
    for (const e of found.injected) problems.push(`${path}: an element was made from the input: ${e}`);
    if (found.ran) problems.push(`${path}: a script from "${found.ran}" ran`);
    for (const v of found.violations) problems.push(`${path}: a blocked attempt (${v})`);
    // The markup is on the page as the text the user typed (only escaped markup reads so).
    if (found.text.includes('data-xss=') || found.title.includes('data-xss=')) shownAsText += 1;
  }
  assert.deepEqual(problems, [], problems.join('\n'));
  // Every page names the project, the user or an item, so the text shows on each.
  assert.equal(shownAsText, pages.length, 'the typed markup is shown as text on every page');
});
