// Moving a project the way a team does it in the browser: "Download as JSON" on the
// settings page (a real download, compressed as browsers always ask), then "Import a
// project" on the projects page with that file, with progress, the new project's link, and
// a broken file's errors by their place in the document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, launch, openHydrated, signedInWithProject } from './support.mjs';

let browser, context, slug, dir;
before(async () => {
  browser = await launch();
  context = await browser.newContext({ acceptDownloads: true });
  slug = await signedInWithProject(context, 'Moving');
  for (const [title, estimate] of [['Cart', 5], ['Search', 3], ['Checkout', 8]]) {
    const res = await context.request.post(`${BASE}/api/fn/items/create`,
      { data: { slug, item: { title, estimate } } });
    assert.ok(res.ok(), await res.text());
  }
  dir = await mkdtemp(join(tmpdir(), 'cadence-e2e-'));
});
after(async () => { await browser?.close(); });

test('a project downloaded as JSON comes back through "Import a project"', async () => {
  const page = await context.newPage();
  await openHydrated(page, `/p/${slug}/settings`);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download as JSON' }).click();
  const file = await download;
  // The download completed: a body cut off mid-stream fails it.
  assert.equal(await file.failure(), null);
  assert.equal(file.suggestedFilename(), `${slug}.cadence.json`);
  // The browser asks for it compressed, gets it compressed, and reads it to the end.
  const fetched = await page.evaluate(async (url) => {
    const res = await fetch(url);
    const text = await res.text();
    return { status: res.status, encoding: res.headers.get('content-encoding'), items: JSON.parse(text).items.length };
  }, `/api/v1/projects/${slug}/export`);
  assert.equal(fetched.status, 200);
  assert.ok(['br', 'gzip', 'zstd', 'deflate'].includes(fetched.encoding), `compressed: ${fetched.encoding}`);
  assert.equal(fetched.items, 3);
  const path = join(dir, file.suggestedFilename());
  await file.saveAs(path);
  const doc = JSON.parse(await readFile(path, 'utf8'));
  assert.equal(doc.schema, 'cadence.project');
  assert.deepEqual(doc.items.map((i) => i.title), ['Cart', 'Search', 'Checkout']);

  // Import it as a new project.
  await openHydrated(page, '/projects');
  await page.getByLabel('Exported project file (.json)').setInputFiles(path);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const done = page.getByTestId('import-done');
  await done.waitFor();
  assert.match(await done.textContent(), /Imported “Moving [^”]+” with 3 items\./);
  await page.getByRole('list', { name: 'Your projects' }).getByRole('link', { name: doc.project.name }).nth(1).waitFor();
  await done.getByRole('link', { name: /^Open / }).click();
  await page.getByRole('heading', { name: doc.project.name }).waitFor();
  assert.notEqual(new URL(page.url()).pathname, `/p/${slug}`, 'a new project, not the old one');

  // A broken file: nothing is created and the fault is named by its place.
  const broken = structuredClone(doc);
  broken.items[1].estimate = 4;
  const brokenPath = join(dir, 'broken.json');
  await writeFile(brokenPath, JSON.stringify(broken));
  await openHydrated(page, '/projects');
  const before = await page.getByRole('list', { name: 'Your projects' }).getByRole('listitem').count();
  await page.getByLabel('Exported project file (.json)').setInputFiles(brokenPath);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const failed = page.getByTestId('import-failed');
  await failed.waitFor();
  assert.match(await failed.textContent(), /Not imported/);
  assert.match(await failed.locator('li').first().textContent(), /items\[1\]\.estimate/);
  await page.reload();
  await page.getByRole('list', { name: 'Your projects' }).waitFor();
  assert.equal(await page.getByRole('list', { name: 'Your projects' }).getByRole('listitem').count(), before);
  await page.close();
});
