// Light or dark colours: the system's setting until the person chooses, then their choice,
// kept for this browser on every page (a cookie the server reads, so no flash of the other
// colours while a page loads).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openHydrated, signedInWithProject } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the colours follow the system until chosen, and the choice is kept', async () => {
  const context = await browser.newContext({ colorScheme: 'light' });
  await signedInWithProject(context, 'Colours');
  const page = await context.newPage();
  await openHydrated(page, '/account');
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const light = await background();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await background();
  assert.notEqual(dark, light, "the system's dark setting darkens the page");
  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await background(), light);
  const card = page.getByRole('region', { name: 'Appearance' });
  assert.equal(await card.getByLabel('As the system is set').isChecked(), true);

  // Chosen with the keyboard: the radio, then the button.
  await card.getByLabel('Dark', { exact: true }).focus();
  await page.keyboard.press('Space');
  await card.getByRole('button', { name: 'Save appearance' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/account#appearance$/);
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
  assert.equal(await background(), dark, 'dark although the system is light');
  assert.equal(await card.getByLabel('Dark', { exact: true }).isChecked(), true);
  // Every page, as it arrives from the server.
  const response = await page.goto(page.url().replace(/\/account.*$/, '/projects'));
  assert.match(await response.text(), /<html lang="en" data-theme="dark"/);
  assert.equal(await background(), dark);

  // Back to the system's setting.
  await openHydrated(page, '/account');
  await card.getByLabel('As the system is set').check();
  await card.getByRole('button', { name: 'Save appearance' }).click();
  await page.waitForURL(/\/account#appearance$/);
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.equal(await page.locator('html').getAttribute('data-theme'), null);
  assert.equal(await background(), light);
  await context.close();
});
