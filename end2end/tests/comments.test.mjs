// Comments and notifications in the browser: Olive comments on an item and mentions Jim
// with the keyboard picker; Jim, in his own browser, sees the unread count in the header,
// opens his inbox and lands on the comment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, call, launch, openHydrated, signedInWithProject, unique } from './support.mjs';

let browser, olive, jim, slug, jimEmail;
before(async () => {
  browser = await launch();
  olive = await browser.newContext();
  jim = await browser.newContext();
  slug = await signedInWithProject(olive, 'Comments');
  jimEmail = `jim-${unique()}@example.com`;
  await call(jim, 'register', { email: jimEmail, display_name: 'Jim Halpert', password: PASSWORD });
  await call(olive, 'project/members/add', { slug, email: jimEmail, role: 'member' });
  await call(olive, 'items/create', { slug, item: { title: 'Cart total' } }, true);
});
after(async () => { await browser?.close(); });

test('a mention picked with the keyboard reaches the other person\'s inbox', async () => {
  const page = await olive.newPage();
  await openHydrated(page, `/p/${slug}/items/1`);
  const box = page.getByRole('combobox', { name: 'Add a comment' });
  await box.click();
  await page.keyboard.type('Could you check this, @hal');
  const list = page.getByRole('listbox', { name: 'People to mention' });
  await list.waitFor();
  assert.deepEqual(await list.getByRole('option').allTextContents(), [`Jim Halpert ${jimEmail}`]);
  await page.keyboard.press('Enter');
  await list.waitFor({ state: 'detached' });
  assert.equal(await box.inputValue(), `Could you check this, @${jimEmail} `);
  await page.keyboard.type('before Friday?');
  await page.keyboard.press('Control+Enter');

  const comment = page.locator('ol.comments > li').first();
  await comment.getByRole('link', { name: '@Jim Halpert' }).waitFor();
  assert.match(await comment.textContent(), /Could you check this, @Jim Halpert before Friday\?/);
  assert.equal(await box.inputValue(), '', 'the form is emptied');
  // The history shows the comment among the changes, or alone.
  await page.getByLabel('Comments only').check();
  assert.deepEqual(
    (await page.locator('ol.history > li:visible').allTextContents()).map((t) => t.replace(/^\S+ \S+ /, '')),
    [`Test User commented: Could you check this, @${jimEmail} before Friday?`]);

  const jims = await jim.newPage();
  await openHydrated(jims, '/projects');
  const count = jims.getByTestId('unread-count');
  await count.waitFor();
  assert.equal(await count.textContent(), '1');
  await jims.getByRole('link', { name: 'Inbox, 1 unread' }).click();
  const note = jims.getByRole('link', { name: 'Test User mentioned you on #1 Cart total' });
  await note.waitFor();
  await note.click();
  await jims.waitForURL(new RegExp(`/p/${slug}/items/1#comment-\\d+$`));
  await jims.getByRole('heading', { name: 'Comments (1)' }).waitFor();
  // Opening it marked it read: the count is gone.
  await count.waitFor({ state: 'detached' });

  // Jim watches the item now; Olive's next comment shows in his header while he stays on
  // the page (its live stream), without a reload.
  await jims.getByTestId('live-mark').filter({ hasText: /^Live/ }).waitFor();
  await box.fill('Thanks, all good.');
  await page.keyboard.press('Control+Enter');
  await count.waitFor();
  assert.equal(await count.textContent(), '1');
  await page.close();
  await jims.close();
});

test('email choices are made with the keyboard and kept', async () => {
  const page = await jim.newPage();
  await openHydrated(page, '/account');
  const card = page.getByRole('region', { name: 'Email', exact: true });
  // The browser tests' server has no SMTP settings: the page says so, and keeps choices.
  await card.getByText('This server sends no email').waitFor();
  const comments = card.getByLabel('comments on items I watch');
  assert.equal(await comments.isChecked(), true, 'every kind is on at first');
  await comments.focus();
  await page.keyboard.press('Space');
  assert.equal(await comments.isChecked(), false);
  await card.getByRole('button', { name: 'Save email settings' }).focus();
  await page.keyboard.press('Enter');
  await card.getByText('Email settings saved.').waitFor();
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.equal(await card.getByLabel('comments on items I watch').isChecked(), false);
  assert.equal(await card.getByLabel('mentions of me').isChecked(), true);
  await page.close();
});
