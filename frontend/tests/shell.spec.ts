// The shell: an unreachable server is said in words and retried; deep links; roles.
import { test, expect, seed, signInByApi, expectAccessible } from './fixtures';
import { SERVER_UNREACHABLE } from '../src/lib/problem';

test("a 503 says the clinic's server is unreachable and the screen retries by itself", async ({ page, context, allowConsole }) => {
  allowConsole.push(/status of 503/);
  const s = seed();
  await signInByApi(context, s.frontDesk.email);
  // Refuse until the message has been seen, then let the server "come back".
  let refused = 0;
  let down = true;
  await page.route('**/api/v1/practitioners', async (route) => {
    if (down) {
      refused++;
      await route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'urn:dermachart:problem:unavailable', title: 'Service unavailable', status: 503, detail: 'x' }),
      });
    } else await route.continue();
  });
  await page.goto('/calendar');
  // Said by the page's own loader or by the shell's banner, whichever notices first: one
  // wording everywhere.
  expect(SERVER_UNREACHABLE).toBe("The clinic's server is unreachable, retrying…");
  const unreachable = page.getByText(SERVER_UNREACHABLE, { exact: true });
  await expect(unreachable.first()).toBeVisible();
  await expectAccessible(page, 'server unreachable');
  down = false;
  // It comes back without a reload.
  await expect(page.locator('.ec-header').getByText(s.practitioners[0]!.name)).toBeVisible({ timeout: 15_000 });
  await expect(unreachable).toHaveCount(0);
  expect(refused).toBeGreaterThanOrEqual(1);
});

test('a deep link opens its page, and front desk is sent away from the admin screens', async ({ page, context }) => {
  const s = seed();
  await signInByApi(context, s.frontDesk.email);
  await page.goto('/patients');
  await expect(page.getByRole('heading', { name: 'Patients' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clinic set-up' })).toHaveCount(0);
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/calendar$/);
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectAccessible(page, 'not found');
});
