import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, openHydrated, signedInWithProject } from './support.mjs';

let browser, context, slug;
before(async () => {
  browser = await launch();
  context = await browser.newContext();
  slug = await signedInWithProject(context);
});
after(async () => { await browser?.close(); });

test('adding a topic shows it without reloading the page', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}`);
  // A page reload would wipe this marker.
  await page.evaluate(() => { window.__sameDocument = true; });

  const title = `Deploy freeze ${Date.now()}`;
  await page.getByLabel('New topic').fill(title);
  await page.getByRole('button', { name: 'Add topic' }).click();

  const list = page.getByRole('list', { name: 'Parking lot topics' });
  await list.getByText(title).waitFor();
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
  assert.equal(await page.getByLabel('New topic').inputValue(), '', 'the input is cleared');
  await page.close();
});

test('the keyboard alone adds a topic: type, press Enter', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}`);
  const title = `Keyboard topic ${Date.now()}`;
  await page.getByLabel('New topic').focus();
  await page.keyboard.type(title);
  await page.keyboard.press('Enter');
  await page.getByRole('list', { name: 'Parking lot topics' }).getByText(title).waitFor();
  await page.close();
});

test('a blank topic is refused with a message next to the field, and nothing is added', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}`);
  const countBefore = await page.locator('.topic-count').textContent();
  await page.getByLabel('New topic').fill('    ');
  await page.getByRole('button', { name: 'Add topic' }).click();
  await page.locator('#topic-title-error', { hasText: 'a title is required' }).waitFor();
  assert.equal(await page.getByLabel('New topic').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('.topic-count').textContent(), countBefore);
  await page.close();
});

test('the same form works with JavaScript turned off', async () => {
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  try {
    const ownSlug = await signedInWithProject(noJs, 'No JS');
    const page = await noJs.newPage();
    await page.goto(`${BASE}/p/${ownSlug}`);
    const title = `No-JS topic ${Date.now()}`;
    await page.getByLabel('New topic').fill(title);
    await page.getByRole('button', { name: 'Add topic' }).click();
    await page.getByRole('list', { name: 'Parking lot topics' }).getByText(title).waitFor();
    assert.equal(await page.locator('body').getAttribute('data-hydrated'), null, 'really without JavaScript');
  } finally {
    await noJs.close();
  }
});

test('an unknown address shows the not-found page with status 404', async () => {
  const page = await context.newPage();
  const response = await page.goto(BASE + '/no/such/page');
  assert.equal(response.status(), 404);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await page.close();
});
