// The walk-through: register, create a project, add a second user as member,
// switch the effort chart to dog breeds, sign out, sign in as the second user (arriving
// where the link pointed) and see the project with its chart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, launch, openHydrated, unique } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function register(page, email, name) {
  await openHydrated(page, '/register');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${BASE}/projects`);
  await page.getByRole('heading', { name: 'Your projects' }).waitFor();
}

test('a team owner sets up a project and a member finds it', async () => {
  const id = unique();
  const alice = `alice-${id}@example.com`;
  const bob = `bob-${id}@example.com`;
  const projectName = `Apollo ${id}`;

  // Bob registers first (in his own browser) and signs out again.
  const bobContext = await browser.newContext();
  const bobPage = await bobContext.newPage();
  await register(bobPage, bob, 'Bob Builder');
  await bobPage.getByRole('button', { name: 'Sign out' }).click();
  await bobPage.waitForURL(`${BASE}/login`);
  await bobContext.close();

  const context = await browser.newContext();
  const page = await context.newPage();
  await register(page, alice, 'Alice Archer');
  // The header refetches the account after the navigation; wait for it rather than read
  // whatever it shows at the moment the projects heading appears.
  await page.locator('.user-menu').getByText('Alice Archer').waitFor();
  assert.match(await page.locator('.user-menu').textContent(), /Alice Archer/);

  await page.getByLabel('Name').fill(projectName);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { name: projectName }).waitFor();
  const slug = new URL(page.url()).pathname.split('/')[2];
  assert.ok(slug.startsWith('apollo-'), page.url());
  assert.equal(await page.getByTitle('Your role').textContent(), 'Owner');

  // Members: add Bob by email, as a member, using the keyboard to submit.
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Members' }).click();
  await page.waitForURL(`${BASE}/p/${slug}/members`);
  await page.getByLabel('Email').fill(bob.toUpperCase());
  await page.getByLabel('Role', { exact: true }).selectOption('member');
  await page.getByLabel('Email').press('Enter');
  await page.getByText('Bob Builder was added as Member.').waitFor();
  await page.getByRole('table', { name: 'Members' }).getByText(bob).waitFor();

  // Settings: dog breeds, saved, and still there after a reload.
  await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Settings' }).click();
  await page.waitForURL(`${BASE}/p/${slug}/settings`);
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByRole('button', { name: 'Use Dog breeds' }).click();
  assert.equal(await page.getByLabel('Label for 5', { exact: true }).inputValue(), 'Labrador');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  assert.equal(await page.getByLabel('Label for 21', { exact: true }).inputValue(), 'Great Dane');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${BASE}/login`);

  // Bob follows a link to the project while signed out: sign in, then he is there.
  await page.goto(`${BASE}/p/${slug}`);
  await page.waitForURL(/\/login\?next=/);
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByLabel('Email').fill(bob);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${BASE}/p/${slug}`);
  await page.getByRole('heading', { name: projectName }).waitFor();
  assert.equal(await page.getByTitle('Your role').textContent(), 'Member');
  assert.match(await page.getByTestId('effort-chart').textContent(), /5 · Labrador/);

  // And the project is in his list.
  await page.goto(`${BASE}/projects`);
  await page.getByRole('link', { name: projectName }).waitFor();
  await context.close();
});

test('a wrong password is refused with a message and no session', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openHydrated(page, '/login');
  await page.getByLabel('Email').fill(`nobody-${unique()}@example.com`);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('that email and password do not match an account').waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  const cookies = await context.cookies();
  assert.equal(cookies.filter((c) => c.name === 'cadence_session').length, 0);
  await context.close();
});
