// The patient portal on a phone (360×740): a patient self-books from free times, signs a
// consent on the pad, reads their record and sees who opened their chart; a patient who
// opens a staff address sees no data (and the server answers 404).
import type { Page } from '@playwright/test';
import { test, expect, seed, signInByApi, expectAccessible } from './fixtures';
import { at, clinicDay, StaffApi } from './clinic';
import { bearer, STAFF_PASSWORD } from './seed';
import { CONSENT_TEXT, newPatient, newPractitioner, ok, treatmentSetup } from './treatment';

test.use({ viewport: { width: 360, height: 740 }, hasTouch: true });

async function portalPatient(given: string): Promise<{ id: string; name: string; email: string }> {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  const patient = await newPatient(given);
  const email = `${patient.family.toLowerCase()}@patients.test`;
  await ok(await admin.call('POST', '/users', { email, password: STAFF_PASSWORD, display_name: patient.name, role: 'patient', patient_id: patient.id }), 'patient login');
  return { id: patient.id, name: patient.name, email };
}

async function bookableService(): Promise<string> {
  const admin = await StaffApi.as(seed().admin.email);
  const services = (await admin.call('GET', '/services')).body.items as any[];
  const found = services.find((x) => x.name === 'Skin check (online)');
  if (found) return found.id;
  return (await ok(await admin.call('POST', '/services', { name: 'Skin check (online)', duration_minutes: 20, buffer_minutes: 5, patient_bookable: true }), 'service')).id;
}

async function drawSignature(page: Page) {
  await page.locator('.pad canvas').scrollIntoViewIfNeeded();
  const box = await page.locator('.pad canvas').boundingBox();
  if (!box) throw new Error('no signature pad');
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 20 + i * 25, box.y + box.height / 2 + (i % 2 ? -20 : 20), { steps: 3 });
  await page.mouse.up();
}

test('a patient self-books, signs a consent on the pad and sees who read their chart', async ({ page, context }) => {
  const me = await portalPatient('Lena');
  const service = await bookableService();
  const doctor = await newPractitioner('Dr Portal Reader');
  const docApi = await StaffApi.as(doctor.email);
  const { treatmentFamily } = await treatmentSetup();
  await ok(await docApi.call('POST', `/patients/${me.id}/consents`, { template_id: treatmentFamily }), 'consent request');
  await ok(await docApi.call('GET', `/patients/${me.id}/record`), 'chart read');

  await signInByApi(context, me.email);
  await page.goto('/me');
  await expect(page.getByRole('heading', { name: 'My appointments' })).toBeVisible();
  await expect(page.getByText('No upcoming appointments.')).toBeVisible();
  await expectAccessible(page, 'portal appointments');
  await page.getByLabel('Treatment').selectOption(service);
  await page.getByRole('button', { name: 'Find free times' }).click();
  const first = page.locator('.slots button').first();
  await first.click();
  await page.getByRole('button', { name: 'Book this time' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Booked: Skin check (online)' })).toBeVisible();
  await expect(page.locator('.cards').first().getByText('Skin check (online)')).toBeVisible();
  // With three upcoming appointments, a fourth is refused, and the refusal is said in words.
  const mine = await bearer(seed().base, me.email, STAFF_PASSWORD);
  for (const days of [10, 11]) {
    const r = await fetch(`${seed().base}/api/v1/me/appointments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mine}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service_id: service, practitioner_id: seed().practitioners[1]!.id, starts_at: at(clinicDay(days), '10:00') }),
    });
    expect(r.status, await r.text()).toBe(201);
  }
  await page.getByRole('button', { name: 'Find free times' }).click();
  await page.locator('.slots button').nth(2).click();
  await page.getByRole('button', { name: 'Book this time' }).click();
  await expect(page.getByRole('alert')).toContainText('The clinic could not book this online: You already have 3 upcoming appointments.');
  await page.reload();
  await expect(page.locator('.cards').first().locator('li')).toHaveCount(3);
  await expectAccessible(page, 'portal booking refused');

  // The consent: read, signed on the pad.
  await page.getByRole('link', { name: 'Consents' }).click();
  await page.getByRole('button', { name: 'Stem cell facial consent' }).click();
  await expect(page.getByText(CONSENT_TEXT)).toBeVisible();
  await page.getByLabel('Your full name').fill(me.name);
  await drawSignature(page);
  await expectAccessible(page, 'portal consent signing');
  await page.getByRole('button', { name: 'I agree and sign' }).click();
  await expect(page.locator('.state')).toContainText(`Signed`);
  await expect(page.locator('.hash code')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByRole('button', { name: 'Withdraw my consent' })).toBeVisible();

  // Who read my chart, in plain words.
  await page.getByRole('link', { name: 'Who looked' }).click();
  await expect(page.getByText(/Dr Portal Reader \(practitioner\) opened your record( \d+ times)? on/).first()).toBeVisible();
  // A burst of reads in one minute is one line with its count, not a wall of repeats.
  const lines = await page.locator('ol.log li').allTextContents();
  expect(lines.filter((l, i) => i > 0 && l === lines[i - 1])).toEqual([]);
  await expectAccessible(page, 'portal access log');

  // My record and its download.
  await page.getByRole('link', { name: 'Record' }).click();
  await expect(page.getByRole('heading', { name: 'My record' })).toBeVisible();
  await expectAccessible(page, 'portal record');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download my record' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^my-record-.*\.json$/);
  const bundle = JSON.parse(await (await import('node:fs/promises')).readFile((await file.path())!, 'utf8'));
  expect(bundle.resourceType).toBe('Bundle');
});

test('a patient opening a staff address sees no data', async ({ page, context }) => {
  const me = await portalPatient('Omar');
  const other = seed().patients[0]!;
  await signInByApi(context, me.email);
  // The top bar offers no staff screen.
  await page.goto('/me');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Appointments', 'Consents', 'Record', 'Who looked']);
  for (const path of [`/chart/${other.id}`, `/chart/${other.id}/consents/x`, '/today', '/calendar', '/patients', `/patients/${other.id}`, '/admin', '/reports-due', '/outcomes', '/recall']) {
    await page.goto(path);
    // Sent back to the patient's own first screen, which shows (not a "Loading…" left behind
    // by the staff screen's module loading late).
    await expect(page).toHaveURL(/\/me$/);
    await expect(page.getByRole('heading', { level: 1, name: 'My appointments' })).toBeVisible();
    await expect(page.getByText('Loading…')).toHaveCount(0);
    await expect(page.getByText(other.name)).toHaveCount(0);
    await expect(page.getByText(other.mrn)).toHaveCount(0);
  }
  // An address no screen has says so, with nothing of anyone's.
  await page.goto(`/no-such-screen/${other.id}`);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByText(other.name)).toHaveCount(0);
  // And the server itself answers 404 to the calls those screens would make.
  for (const api of [`/api/v1/patients/${other.id}/record`, `/api/v1/patients/${other.id}`, '/api/v1/appointments', '/api/v1/adverse-events?report_due_before=2100-01-01T00:00:00Z']) {
    // From the page itself, with the patient's session cookie (as the screens would call it).
    expect(await page.evaluate(async (u) => (await fetch(u)).status, api), api).toBe(404);
  }
});
