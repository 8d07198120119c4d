import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { BASE, launch, openHydrated } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('adding a topic shows it without reloading the page', async () => {
  const page = await browser.context.newPage();
  await openHydrated(page);
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
  const page = await browser.context.newPage();
  await openHydrated(page);
  const title = `Keyboard topic ${Date.now()}`;
  await page.getByLabel('New topic').focus();
  await page.keyboard.type(title);
  await page.keyboard.press('Enter');
  await page.getByRole('list', { name: 'Parking lot topics' }).getByText(title).waitFor();
  await page.close();
});

test('a blank topic is refused with a message next to the field, and nothing is added', async () => {
  const page = await browser.context.newPage();
  await openHydrated(page);
  const countBefore = await page.locator('.topic-count').textContent();
  await page.getByLabel('New topic').fill('    ');
  await page.getByRole('button', { name: 'Add topic' }).click();
  await page.locator('#topic-title-error', { hasText: 'a title is required' }).waitFor();
  assert.equal(await page.getByLabel('New topic').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('.topic-count').textContent(), countBefore);
  await page.close();
});

test('the same form works with JavaScript turned off', async () => {
  const profileless = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await profileless.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(BASE + '/');
    const title = `No-JS topic ${Date.now()}`;
    await page.getByLabel('New topic').fill(title);
    await page.getByRole('button', { name: 'Add topic' }).click();
    await page.getByRole('list', { name: 'Parking lot topics' }).getByText(title).waitFor();
    assert.equal(await page.locator('body').getAttribute('data-hydrated'), null, 'really without JavaScript');
  } finally {
    await profileless.close();
  }
});

test('an unknown address shows the not-found page with status 404', async () => {
  const page = await browser.context.newPage();
  const response = await page.goto(BASE + '/no/such/page');
  assert.equal(response.status(), 404);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await page.close();
});
