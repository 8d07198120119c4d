// The DevOps loop in the browser: the owner adds a GitHub integration in the project
// settings and copies its address and secret; a failing workflow run, signed with that
// secret the way GitHub signs it (sent here by the test, as GitHub would), files a bug that
// appears on the open backlog without a reload, and the item page says where it came from.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BASE, launch, openHydrated, signedInWithProject } from './support.mjs';

let browser, owner, slug;
before(async () => {
  browser = await launch();
  owner = await browser.newContext();
  await owner.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  slug = await signedInWithProject(owner, 'Store');
});
after(async () => { await browser?.close(); });

const failure = readFileSync(
  new URL('../../server/tests/fixtures/hooks/github/workflow_run.json', import.meta.url), 'utf8');

test('a GitHub integration made in the settings files a bug when a workflow run fails', async () => {
  const settings = await owner.newPage();
  await openHydrated(settings, `/p/${slug}/settings`);
  await settings.getByLabel('Provider').selectOption('github');
  await settings.locator('#integration-name').fill('dunder/store');
  await settings.getByRole('button', { name: 'Add integration' }).click();

  const box = settings.getByRole('status', { name: 'New integration secret' });
  await box.waitFor();
  // Copy each as a person does: its button selects it, Ctrl+C copies; read it back from
  // the clipboard.
  const copy = async (what) => {
    const button = settings.getByRole('button', { name: `Copy ${what}` });
    await button.click();
    await button.filter({ hasText: 'Selected' }).waitFor();
    await settings.keyboard.press('Control+C');
    return settings.evaluate(() => navigator.clipboard.readText());
  };
  const address = await copy('the address');
  assert.equal(address, await settings.locator('#hook-url').inputValue());
  assert.match(address, new RegExp(`^${BASE}/hooks/[0-9a-f-]{36}$`));
  const secret = await copy('the secret');
  assert.equal(secret, await settings.locator('#hook-secret').inputValue());
  assert.match(secret, /^[0-9a-f]{64}$/);
  // The integration is listed, its secret only by its last characters.
  await settings.getByRole('article', { name: 'dunder/store · GitHub' }).waitFor();
  assert.equal(await settings.getByText(secret).count(), 0, 'the secret is not shown on the card');
  await settings.getByRole('button', { name: 'Done' }).click();
  await box.waitFor({ state: 'detached' });

  // The backlog is open when the pipeline fails.
  const backlog = await owner.newPage();
  await openHydrated(backlog, `/p/${slug}/backlog`);
  await backlog.getByTestId('live-mark').filter({ hasText: /^Live/ }).waitFor();
  const signature = 'sha256=' + createHmac('sha256', secret).update(failure).digest('hex');
  const res = await fetch(address, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'workflow_run',
      'x-github-delivery': `delivery-${Date.now()}`,
      'x-hub-signature-256': signature,
    },
    body: failure,
  });
  assert.equal(res.status, 200, await res.text());

  const bug = backlog.getByRole('link', { name: 'CI failed: build on main', exact: true });
  await bug.waitFor({ timeout: 5000 });
  // The backlog says where it came from.
  const row = backlog.locator('ol.item-list > li', { hasText: 'CI failed: build on main' });
  assert.equal(await row.locator('.badge.ci').textContent(), 'GitHub CI');
  await bug.click();
  await backlog.getByRole('heading', { name: 'From CI' }).waitFor();
  const origin = await backlog.getByTestId('ci-origin').textContent();
  assert.match(origin, /Filed by GitHub CI \(dunder\/store\) when build failed on main: 1 failure/);
  const run = backlog.getByRole('link', { name: /^failed / });
  assert.equal(await run.getAttribute('href'), 'https://github.com/dunder/store/actions/runs/9123456789');

  // The settings list the delivery and what it did.
  await settings.reload();
  await settings.locator('body[data-hydrated="true"]').waitFor();
  const deliveries = settings.getByRole('table', { name: 'Deliveries to dunder/store' });
  await deliveries.getByRole('cell', { name: 'filed #1' }).waitFor();
  await settings.close();
  await backlog.close();
});
