// The shared test fixture: every page is watched for CSP violations and console errors
// (either fails the test), sign-in helpers, the seed, and an axe check.
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { STAFF_PASSWORD, type Seed } from './seed';

export { expect };

export function seed(): Seed {
  const path = process.env.DERMACHART_UI_SEED;
  if (!path) throw new Error('DERMACHART_UI_SEED is not set (global-setup sets it)');
  return JSON.parse(readFileSync(path, 'utf8')) as Seed;
}

// The browser logs every 4xx answer as "Failed to load resource"; those are the server's
// answers the UI explains (401 before sign-in, 409, 412, 422, 429), not faults of the page.
// 5xx answers and everything else still fail the test.
const EXPECTED = /^Failed to load resource: the server responded with a status of 4\d\d/;

/** Records CSP violations and console errors on a page. */
export function watch(page: Page, allowed: RegExp[] = []): string[] {
  const problems: string[] = [];
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && !EXPECTED.test(text) && !allowed.some((r) => r.test(text))) problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return problems;
}

export async function signInByApi(context: BrowserContext, email: string, password = STAFF_PASSWORD): Promise<void> {
  const r = await context.request.post('/api/v1/auth/login', { data: { email, password, session: 'cookie' } });
  expect(r.status(), `sign-in of ${email}`).toBe(200);
}

/** Fails on any serious or critical axe finding on the page as it is now. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
    `axe on ${what}`,
  ).toEqual([]);
}

interface Fixtures {
  /** Console errors a test expects (e.g. the browser's own line for a 503 it provokes). */
  allowConsole: RegExp[];
  problems: string[];
  /** A second, separate browser (own cookies), watched like the first; `origin` picks another app server. */
  secondPage: (email: string, origin?: string) => Promise<Page>;
}

export const test = base.extend<Fixtures>({
  allowConsole: async ({}, use) => {
    await use([]);
  },
  problems: [
    async ({ page, allowConsole }, use) => {
      const problems = watch(page, allowConsole);
      await use(problems);
      expect(problems, 'CSP violations and console errors').toEqual([]);
    },
    { auto: true },
  ],
  secondPage: async ({ browser }, use) => {
    const opened: { context: BrowserContext; problems: string[] }[] = [];
    await use(async (email: string, origin?: string) => {
      const context = await newContext(browser, origin);
      const page = await context.newPage();
      opened.push({ context, problems: watch(page) });
      await signInByApi(context, email);
      return page;
    });
    for (const o of opened) {
      await o.context.close();
      expect(o.problems, 'CSP violations and console errors (second browser)').toEqual([]);
    }
  },
});

async function newContext(browser: Browser, origin?: string): Promise<BrowserContext> {
  const port = process.env.DERMACHART_UI_PORT;
  return browser.newContext({
    baseURL: origin ?? `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 800 },
    timezoneId: 'America/New_York',
    locale: 'en-GB',
  });
}
