// More of the patient portal on a phone (360×740): the password set from the emailed link
// and a sign-in without a one-time code; cancelling, the past list and the booking rules'
// refusals in words; my record with amendments beside the original, the photo compare and
// my plot, staff named (no ids on screen); withdrawing a consent; axe on each of them.
import { test, expect, seed, signInByApi, expectAccessible } from './fixtures';
import { at, clinicDay, StaffApi } from './clinic';
import { STAFF_PASSWORD } from './seed';
import { newPatient, newPractitioner, ok, quarterNow, TINY_PNG, treatedVisit, treatmentSetup, uploadPhoto } from './treatment';
import type { Page } from '@playwright/test';
import { lastEmailTo } from './outbox';

test.use({ viewport: { width: 360, height: 740 }, hasTouch: true });

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** A login for a patient (made by the admin through the API). */
async function loginFor(patient: { id: string; name: string }): Promise<string> {
  const admin = await StaffApi.as(seed().admin.email);
  const email = `p-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}@patients.test`;
  await ok(await admin.call('POST', '/users', { email, password: STAFF_PASSWORD, display_name: patient.name, role: 'patient', patient_id: patient.id }), 'patient login');
  return email;
}

async function bookableService(): Promise<string> {
  const admin = await StaffApi.as(seed().admin.email);
  const services = (await admin.call('GET', '/services')).body.items as any[];
  const found = services.find((x) => x.name === 'Skin check (online)');
  if (found) return found.id;
  return (await ok(await admin.call('POST', '/services', { name: 'Skin check (online)', duration_minutes: 20, buffer_minutes: 5, patient_bookable: true }), 'service')).id;
}

/** Text on screen that looks like an id. */
async function idsOnScreen(page: Page): Promise<string[]> {
  const text = await page.locator('body').innerText();
  return text.match(new RegExp(UUID.source, 'gi')) ?? [];
}

test('a patient sets the password from the emailed link, then signs in with the form; no one-time code is asked', async ({ page }) => {
  const s = seed();
  const desk = await StaffApi.as(s.frontDesk.email);
  const email = `set-${Date.now().toString(36)}@patients.test`;
  const patient = await ok(
    await desk.call('POST', '/patients', { given_name: 'Sigrid', family_name: `Link${Date.now().toString(36)}`, date_of_birth: '1990-02-03', email }),
    'patient',
  );
  const account = await desk.call('POST', `/patients/${patient.id}/portal-account`, undefined);
  expect(account.status, JSON.stringify(account.body)).toBe(201);
  expect(JSON.stringify(account.body)).not.toContain('token');

  const mail = lastEmailTo(email)?.body ?? '';
  const link = mail.match(/(https?:\/\/\S+)\/set-password#token=([^\s]+)/);
  expect(link, `a set-password link in the email: ${mail}`).toBeTruthy();
  const path = `/set-password#token=${link![2]}`;

  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Set your password' })).toBeVisible();
  await expectAccessible(page, 'set password (phone)');
  const password = 'a long and private passphrase 42';
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Repeat it').fill(password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByText('Your password is set.')).toBeVisible();
  // The token leaves the address bar once used.
  expect(new URL(page.url()).hash).toBe('');
  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to DermaChart' })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My appointments' })).toBeVisible();
  await expect(page.getByLabel('One-time code')).toHaveCount(0);

  // The link is single use: opened again, it is refused in words.
  await page.goto(path);
  await page.getByLabel('New password').fill('yet another private passphrase');
  await page.getByLabel('Repeat it').fill('yet another private passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('alert')).toContainText('This link has expired or was already used');
});

test('a patient cancels an upcoming appointment; the past ones are listed with their practitioner', async ({ page, context }) => {
  const s = seed();
  const patient = await newPatient('Maren');
  const email = await loginFor(patient);
  const doctor = await newPractitioner('Dr Petra Present');
  const desk = await StaffApi.as(s.frontDesk.email);
  const docApi = await StaffApi.as(doctor.email);
  const upcoming = await desk.book(patient.id, doctor.id, s.services.review, at(clinicDay(4), '11:00'));
  // A visit today, already done.
  const past = await desk.book(patient.id, doctor.id, s.services.consult, at(clinicDay(0), quarterNow()));
  await ok(await desk.call('POST', `/appointments/${past.id}/check-in`, {}), 'check-in');
  await ok(await docApi.call('POST', `/appointments/${past.id}/start`, {}), 'start');
  await ok(await docApi.call('POST', `/appointments/${past.id}/complete`, {}), 'complete');

  await signInByApi(context, email);
  await page.goto('/me');
  const next = page.getByRole('region', { name: 'Upcoming' });
  const done = page.getByRole('region', { name: 'Past' });
  await expect(next.getByRole('listitem')).toHaveCount(1);
  await expect(next.getByRole('listitem')).toContainText('Follow-up review with Dr Petra Present');
  await expect(done.getByRole('listitem')).toHaveCount(1);
  await expect(done.getByRole('listitem')).toContainText('Consultation with Dr Petra Present');
  await expect(done.getByRole('listitem')).toContainText('Completed');
  await expectAccessible(page, 'portal appointments with past ones');

  await next.getByRole('button', { name: 'Cancel…' }).click();
  const cancel = next.getByRole('button', { name: 'Cancel the appointment' });
  await expect(cancel).toBeDisabled();
  await next.getByLabel('Why are you cancelling?').fill('I am travelling that week');
  await expectAccessible(page, 'portal cancelling');
  await cancel.click();
  await expect(next.getByText('No upcoming appointments.')).toBeVisible();
  await expect(done.getByRole('listitem')).toHaveCount(2);
  await expect(done.getByRole('listitem').filter({ hasText: 'Follow-up review' })).toContainText('Cancelled');
  const stored = await ok(await desk.call('GET', `/appointments/${upcoming.id}`), 'appointment');
  expect(stored.status).toBe('cancelled');
  expect(await idsOnScreen(page)).toEqual([]);
});

test("self-booking refusals are said in words: too little notice and too far ahead (the server decides)", async ({ page, context }) => {
  const patient = await newPatient('Ottilie');
  const email = await loginFor(patient);
  const service = await bookableService();
  // Someone who works at every hour, so there is a free time within the next half hour.
  await newPractitioner('Dr Round The Clock');
  await signInByApi(context, email);
  await page.goto('/me');
  await page.getByLabel('Treatment').selectOption(service);

  const results = page.getByRole('region', { name: 'Free times' });
  const tryFirstSlot = async (day: string) => {
    await page.getByLabel('From').fill(day);
    await page.getByRole('button', { name: 'Find free times' }).click();
    await expect(results).toHaveAttribute('aria-busy', 'false');
    await results.locator('.slots button').first().click();
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/appointments') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Book this time' }).click();
    return (await answer).status();
  };
  // The server offers nothing sooner than the 2 hours' notice online booking needs; but a
  // list can wait on screen while the clock moves on, so a time offered can be too soon
  // by the time it is booked. Such a list is made here: the real one, with a time in half
  // an hour put first. The server refuses it and the page says why.
  await page.route(
    '**/api/v1/availability?**',
    async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      const first = body.items[0];
      const soon = new Date(Date.now() + 30 * 60_000);
      soon.setUTCSeconds(0, 0);
      const length = Date.parse(first.ends_at) - Date.parse(first.starts_at);
      body.items.unshift({ ...first, starts_at: soon.toISOString(), ends_at: new Date(soon.getTime() + length).toISOString() });
      await route.fulfill({ response, json: body });
    },
    { times: 1 },
  );
  expect(await tryFirstSlot(clinicDay(0))).toBe(409);
  await expect(page.getByRole('alert')).toHaveText(
    "The clinic could not book this online: Online booking needs at least 2 hours' notice; please call the clinic for anything sooner.",
  );
  await expectAccessible(page, 'refused: too little notice');
  // A year and more ahead is beyond the horizon.
  expect(await tryFirstSlot(clinicDay(367))).toBe(409);
  const farDay = await page.evaluate(
    (d) => new Intl.DateTimeFormat(undefined, { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${d}T12:00:00Z`)),
    clinicDay(367),
  );
  await expect(results.getByRole('group').first()).toHaveAccessibleName(`Free times on ${farDay}`);
  await expect(page.getByRole('alert')).toHaveText('The clinic could not book this online: Online booking is open up to a year ahead.');
  await expect(page.getByText("Online booking needs at least 2 hours' notice, is open up to a year ahead, and allows 3 upcoming appointments at a time.")).toBeVisible();
  // Nothing was booked.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Upcoming' }).getByText('No upcoming appointments.')).toBeVisible();
});

test('my record: amendments beside the original, the photo compare, my plot, staff by name and no ids on screen; axe on the phone', async ({ page, context, secondPage }) => {
  test.setTimeout(90_000);
  const story = await treatedVisit('Nadia');
  const email = await loginFor(story.patient);
  const doc = await StaffApi.as(story.doctor.email);
  await ok(
    await doc.call('POST', `/procedures/${story.procedure.id}/amendments`, { reason: 'Sun advice made longer', changes: { aftercare: 'No make-up for 24 h; SPF 50 for a month.' } }),
    'amendment',
  );
  const face = await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 200, height: 150 } });
  await uploadPhoto(story.doctor.email, story.patient.id, face, 'frontal', 'before', new Date().toISOString());
  await uploadPhoto(story.doctor.email, story.patient.id, face, 'frontal', 'after', new Date().toISOString());

  await signInByApi(context, email);
  await page.goto('/my-record');
  await expect(page.getByRole('heading', { level: 1, name: 'My record' })).toBeVisible();
  const treatment = page.locator('article.note').filter({ hasText: 'Treatment' });
  await expect(treatment).toHaveCount(1);
  // The original as signed, and beside it the amendment with its reason and author.
  await expect(treatment).toContainText('Aftercare: No make-up for 24 h; SPF 50.');
  const amendment = treatment.locator('.amendment');
  await expect(amendment).toContainText(`by ${story.doctor.name}: Sun advice made longer`);
  await expect(amendment).toContainText('Aftercare (amended): No make-up for 24 h; SPF 50 for a month.');
  await expect(treatment.locator('.by')).toContainText(`by ${story.doctor.name}`);
  await expect(page.locator('article.note').filter({ hasText: 'Consultation' }).locator('.by')).toContainText(`by ${story.doctor.name}`);

  // The photo compare: the slider, then side by side.
  const wipe = page.getByRole('img', { name: /Before, .* on the left, After, .* on the right/ });
  await expect(wipe).toBeVisible();
  await expect(wipe.locator('image')).toHaveCount(2);
  await page.getByRole('button', { name: 'Side by side' }).click();
  const before = page.getByRole('img', { name: /^Before, / });
  const after = page.getByRole('img', { name: /^After, / });
  for (const img of [before, after]) {
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  }
  await expect(page.locator('.thumbs li')).toHaveCount(2);
  await expect(page.locator('.thumbs li').first()).toContainText(`by ${story.doctor.name}`);
  await expectAccessible(page, 'portal photos side by side');

  // My measurements, plotted.
  const plot = page.getByRole('img', { name: 'My skin moisture over time' });
  await expect(plot.locator('circle')).toHaveCount(2);
  await page.getByLabel('Measurement').selectOption('firmness');
  await expect(page.getByRole('img', { name: 'My firmness over time' }).locator('circle')).toHaveCount(2);
  await expectAccessible(page, 'portal record (phone)');

  // Staff by name everywhere; nothing on screen looks like an id.
  expect(await idsOnScreen(page)).toEqual([]);
  for (const path of ['/me', '/my-consents', '/my-access']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByText('Loading…')).toHaveCount(0);
    expect(await idsOnScreen(page), path).toEqual([]);
  }
  await expect(page.getByText(new RegExp(`${story.doctor.name} \\(practitioner\\)`)).first()).toBeVisible();

  // The practitioner's chart of the same patient on a phone.
  const chart = await secondPage(story.doctor.email);
  await chart.setViewportSize({ width: 360, height: 740 });
  await chart.goto(`/chart/${story.patient.id}`);
  await expect(chart.getByRole('heading', { level: 1, name: story.patient.name })).toBeVisible();
  await expect(chart.locator('#photos svg.wipe')).toBeVisible();
  await expectAccessible(chart, 'chart on a phone');
  const overflow = await chart.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'the chart fits the phone (no sideways scrolling)').toBeLessThanOrEqual(0);
});

test('a patient withdraws a consent from the portal; the clinic sees it revoked', async ({ page, context }) => {
  const patient = await newPatient('Wiebke');
  const email = await loginFor(patient);
  const doctor = await newPractitioner('Dr Consent Keeper');
  const { treatmentFamily } = await treatmentSetup();
  const api = await StaffApi.as(doctor.email);
  const pending = await ok(await api.call('POST', `/patients/${patient.id}/consents`, { template_id: treatmentFamily }), 'consent');
  await ok(await api.call('POST', `/consents/${pending.id}/sign`, { signer_name: patient.name, signature_png_base64: TINY_PNG, signer_kind: 'patient' }), 'sign');

  await signInByApi(context, email);
  await page.goto('/my-consents');
  const card = page.getByRole('listitem').filter({ hasText: 'Stem cell facial consent' });
  await expect(card).toContainText('Signed');
  await expectAccessible(page, 'portal consents list');
  await card.getByRole('button', { name: 'Stem cell facial consent' }).click();
  await expect(page.locator('.state')).toContainText(`signed`);
  await expect(page.locator('.state')).toContainText(`by ${patient.name}`);
  await page.getByRole('button', { name: 'Withdraw my consent' }).click();
  const withdraw = page.getByRole('button', { name: 'Withdraw', exact: true });
  await expect(withdraw).toBeDisabled();
  await page.getByLabel('Why are you withdrawing it?').fill('I have decided against the treatment');
  await expectAccessible(page, 'portal withdrawing a consent');
  await withdraw.click();
  await expect(page.locator('.state')).toContainText('Withdrawn');
  await expect(page.getByRole('button', { name: 'Withdraw my consent' })).toHaveCount(0);
  await page.getByRole('button', { name: '← All my consents' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: 'Stem cell facial consent' })).toContainText('Withdrawn');
  await expectAccessible(page, 'portal consents list after withdrawing');
  const stored = await ok(await api.call('GET', `/consents/${pending.id}`), 'consent');
  expect(stored.status).toBe('revoked');
  expect(stored.revoked_reason).toBe('I have decided against the treatment');
});
