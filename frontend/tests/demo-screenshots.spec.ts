// Screenshots on the demo clinic (`dermachart serve --demo`) for docs/screenshots/: its
// first patient had a stem cell facial about 200 days ago and the whole follow-up series
// (14, 42, 90 and 180 days) with measurements and photos. That history cannot be made
// through the API (a procedure needs a consultation and a consent signed before it, and
// the server stamps signatures with its own clock), so this spec starts its own demo server
// on a fresh SQLite database beside the run's server.
//   - the measurement plot and the outcome plot with real follow-up data (1280×800);
//   - the chart on a phone (360×740);
//   - the portal's main pages at 360×740 (the viewport, plus full-page extras) and 1280×800.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, expect, watch } from './fixtures';

const root = resolve(import.meta.dirname, '..', '..');
const out = (name: string) => resolve(root, 'docs', 'screenshots', `${name}.png`);

interface Demo {
  base: string;
  logins: Map<string, { email: string; password: string }>;
  server: ChildProcess;
  dir: string;
}

let demo: Demo;

async function startDemo(): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), 'dermachart-demo-'));
  const port = 41000 + Math.floor(Math.random() * 9000);
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(resolve(root, process.env.DERMACHART_BIN ?? 'target/debug/dermachart'), ['serve', '--demo'], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${join(dir, 'demo.db')}`,
      BIND: `127.0.0.1:${port}`,
      PUBLIC_URL: base,
      FRONTEND_DIR: resolve(root, 'frontend/dist'),
      MEDIA_DIR: join(dir, 'media'),
      AUDIT_KEY_FILE: join(dir, 'audit.key'),
      CLINIC_TIMEZONE: 'Europe/London',
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let printed = '';
  server.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`the demo server exited with ${server.exitCode}`);
    if (i > 600) throw new Error('the demo server did not become ready in 120 s');
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const logins = new Map<string, { email: string; password: string }>();
  for (const m of printed.matchAll(/^\s+(admin|front_desk|practitioner|patient)\s+(\S+@\S+)\s+(\S+)\s*$/gm)) {
    logins.set(m[2]!, { email: m[2]!, password: m[3]! });
  }
  if (!logins.size) throw new Error(`no logins printed by the demo server: ${printed}`);
  return { base, logins, server, dir };
}

function login(part: string): { email: string; password: string } {
  const found = [...demo.logins.values()].find((l) => l.email.startsWith(part));
  if (!found) throw new Error(`no demo login ${part}`);
  return found;
}

async function bearer(who: { email: string; password: string }): Promise<string> {
  const r = await fetch(`${demo.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
  if (!r.ok) throw new Error(`demo login ${who.email} → ${r.status}`);
  return (await r.json()).token;
}

async function call(token: string, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`${demo.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A signed-in browser on the demo server, watched for CSP violations and console errors. */
async function signedIn(browser: Browser, who: { email: string; password: string }, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const phone = viewport.width < 500;
  const context = await browser.newContext({ baseURL: demo.base, viewport, hasTouch: phone, isMobile: false, timezoneId: 'America/New_York', locale: 'en-GB' });
  const page = await context.newPage();
  const problems = watch(page);
  const r = await context.request.post('/api/v1/auth/login', { data: { ...who, session: 'cookie' } });
  expect(r.status(), `demo sign-in of ${who.email}`).toBe(200);
  return { context, page, problems };
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  demo = await startDemo();
});

test.afterAll(async () => {
  if (!demo) return;
  if (demo.server.exitCode === null) {
    const exited = new Promise<void>((r) => demo.server.once('exit', () => r()));
    demo.server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  rmSync(demo.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

let patientId = '';

test('demo clinic: the measurement plot and the outcome plot with the follow-up series; the chart on a phone', async ({ browser }) => {
  test.setTimeout(120_000);
  const doctor = login('dr.lee');
  const token = await bearer(doctor);
  const found = await call(token, 'GET', '/patients?q=Hart');
  patientId = found.items.find((p: any) => p.given_name === 'Amelia').id;

  const { context, page, problems } = await signedIn(browser, doctor, { width: 1280, height: 800 });
  await page.goto(`/chart/${patientId}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Amelia Hart' })).toBeVisible();
  const m = page.locator('#measurements');
  const plot = m.getByRole('img', { name: /Skin moisture over time/ });
  // Baseline, the day of the procedure and the four follow-ups at least.
  await expect.poll(() => plot.locator('circle').count()).toBeGreaterThanOrEqual(5);
  await m.scrollIntoViewIfNeeded();
  await m.screenshot({ path: out('measurement-plot') });

  await page.goto('/outcomes');
  await page.getByLabel('Service').selectOption({ label: 'Stem cell facial — harvest and application' });
  await page.getByLabel('Metric').selectOption('skin_moisture');
  await expect(page.getByRole('row').filter({ hasText: '180 days' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: '14 days' })).toBeVisible();
  await page.screenshot({ path: out('outcomes') });
  await context.close();
  expect(problems, 'CSP violations and console errors').toEqual([]);

  const phone = await signedIn(browser, doctor, { width: 360, height: 740 });
  await phone.page.goto(`/chart/${patientId}`);
  await expect(phone.page.getByRole('heading', { level: 1, name: 'Amelia Hart' })).toBeVisible();
  await expect(phone.page.locator('.allergies, .meds').first()).toBeVisible();
  await phone.page.screenshot({ path: out('chart-360') });
  await phone.context.close();
  expect(phone.problems, 'CSP violations and console errors (phone)').toEqual([]);
});

test('demo clinic: the portal main pages at 360×740 and 1280×800', async ({ browser }) => {
  test.setTimeout(120_000);
  // A consent waiting for the patient's signature, so that the consents page has one to sign.
  const token = await bearer(login('dr.lee'));
  const templates = (await call(token, 'GET', '/consent-templates')).items as any[];
  const photo = templates.find((t) => t.title === 'Clinical photography');
  if (!patientId) patientId = (await call(token, 'GET', '/patients?q=Hart')).items.find((p: any) => p.given_name === 'Amelia').id;
  await call(token, 'POST', `/patients/${patientId}/consents`, { template_id: photo.family_id });
  // Someone read the chart today (for the access log).
  await call(token, 'GET', `/patients/${patientId}/record`);

  const patient = [...demo.logins.values()].find((l) => l.email.startsWith('amelia.'))!;
  for (const [size, viewport] of [
    ['360', { width: 360, height: 740 }],
    ['1280', { width: 1280, height: 800 }],
  ] as const) {
    const { context, page, problems } = await signedIn(browser, patient, viewport);
    await page.goto('/me');
    await expect(page.getByRole('heading', { level: 1, name: 'My appointments' })).toBeVisible();
    await expect(page.locator('.card').first()).toBeVisible();
    await page.screenshot({ path: out(`portal-appointments-${size}`) });
    if (size === '360') await page.screenshot({ path: out(`portal-appointments-${size}-full`), fullPage: true });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Consents' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'My consents' })).toBeVisible();
    await expect(page.locator('.card').filter({ hasText: 'Waiting for your signature' })).toBeVisible();
    await page.screenshot({ path: out(`portal-consents-${size}`) });
    await page.getByRole('button', { name: 'Clinical photography' }).first().click();
    await expect(page.locator('.consent-text')).toBeVisible();
    await page.screenshot({ path: out(`portal-consent-${size}`) });
    if (size === '360') await page.screenshot({ path: out(`portal-consent-${size}-full`), fullPage: true });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Record' }).click();
    await expect(page.getByRole('heading', { name: 'Notes from my visits' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'My measurements' })).toBeVisible();
    await page.screenshot({ path: out(`portal-record-${size}`) });
    await page.screenshot({ path: out(`portal-record-${size}-full`), fullPage: true });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Who looked' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Who looked at my record' })).toBeVisible();
    await expect(page.locator('.log li').first()).toBeVisible();
    await page.screenshot({ path: out(`portal-access-log-${size}`) });
    await context.close();
    expect(problems, `CSP violations and console errors (${size})`).toEqual([]);
  }
});
