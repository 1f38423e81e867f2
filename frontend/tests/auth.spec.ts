// Journey: sign in, sign out, an ended session, forgotten password, the emailed link.
import { test, expect, seed, expectAccessible, signInByApi } from './fixtures';
import { createHmac } from 'node:crypto';
import { STAFF_PASSWORD } from './seed';
import { StaffApi } from './clinic';

test('front desk signs in with email and password, sees the calendar and the clinic zone, and signs out', async ({ page }) => {
  const s = seed();
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole('heading', { name: 'Sign in to DermaChart' })).toBeVisible();
  await expectAccessible(page, 'sign-in');
  await page.getByLabel('Email').fill(s.frontDesk.email);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/calendar/);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' })).toBeVisible();
  await expect(page.getByText(/Clinic time: Europe\/London/)).toBeVisible();
  // The session is a cookie the page's scripts cannot read, and nothing is kept in storage.
  const stored = await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length]);
  expect(stored).toEqual(['', 0, 0]);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/calendar');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fcalendar/);
});

test('a wrong password says so, and repeated failures show how long to wait', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('nobody-here@clinic.test');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is not right.');
  for (let i = 0; i < 6; i++) {
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  }
  await expect(page.getByRole('alert')).toHaveText(/Too many attempts\. Try again in \d+ (seconds?|minutes?)\./);
});

test('an ended session returns to sign-in and, after signing in again, to the same page', async ({ page, context }) => {
  const s = seed();
  await signInByApi(context, s.frontDesk.email);
  await page.goto('/patients?q=hart');
  await expect(page.getByRole('heading', { name: 'Patients' })).toBeVisible();
  // The page's own search has answered: no request of the old session is still on its
  // way (one answered 401 after the logout sent the page to sign-in before the click).
  await expect(page.getByRole('listbox', { name: 'Matching patients' })).toContainText('Hart');
  // The server ends the session (as an idle timeout would): its cookie stops working.
  const cookie = (await context.cookies()).find((c) => c.httpOnly);
  expect(cookie, 'the session cookie is HttpOnly').toBeTruthy();
  const out = await page.request.post('/api/v1/auth/logout', { headers: { authorization: `Bearer ${cookie!.value}` } });
  expect(out.status()).toBe(204);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expect(page.getByText('Your session ended. Sign in again to go back to where you were.')).toBeVisible();
  await page.getByLabel('Email').fill(s.frontDesk.email);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/calendar$/);
});

test('forgot password asks for a link; the set-password page explains a bad link', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await expectAccessible(page, 'forgot password');
  await page.getByLabel('Email').fill('desk@clinic.test');
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByRole('status')).toHaveText(/a link to set a new password is on its way/);

  await page.goto('/set-password#token=not-a-real-token');
  await expect(page.getByRole('heading', { name: 'Set your password' })).toBeVisible();
  await expectAccessible(page, 'set password');
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByLabel('Repeat it').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
});

/** RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret at a time. */
function totp(secretBase32: string, atMs: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretBase32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

test('an account with a second factor is asked for the one-time code', async ({ page }) => {
  const s = seed();
  const email = s.practitionerUsers[1]!.email;
  const doctor = await StaffApi.as(email);
  const enrolled = await doctor.call('POST', '/auth/totp/enroll', { current_password: STAFF_PASSWORD });
  expect(enrolled.status).toBe(200);
  const secret: string = enrolled.body.secret_base32;
  const confirmed = await doctor.call('POST', '/auth/totp/confirm', { current_password: STAFF_PASSWORD, code: totp(secret, Date.now()) });
  expect(confirmed.status).toBe(204);

  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Enter the 6-digit code from your authenticator app.');
  await expectAccessible(page, 'sign-in with a one-time code');
  await page.getByLabel('One-time code').fill('000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('That code is not right. Enter the current 6-digit code.');
  // The next step's code (within the allowed skew; the confirmed one cannot be replayed).
  await page.getByLabel('One-time code').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/today$/);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Today' })).toBeVisible();
});
