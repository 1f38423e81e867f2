// Journeys on the clinic manager's set-up screens: each form, the refusal of time off
// that would strand appointments, consent versions, the audit log and its chain check.
import type { Page } from '@playwright/test';
import { test, expect, seed, signInByApi, expectAccessible } from './fixtures';
import { at, clinicDay, StaffApi } from './clinic';
import { STAFF_PASSWORD } from './seed';
import { oneTimeCode } from './totp';

async function asAdmin(page: Page, section: string) {
  const s = seed();
  await signInByApi(page.context(), s.admin.email, s.admin.password);
  await page.goto(`/admin/${section}`);
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const weekdayOf = (day: string) => WEEKDAYS[new Date(`${day}T12:00:00Z`).getUTCDay()]!;

test('admin creates a user, changes the role and deactivates the login', async ({ page }) => {
  await asAdmin(page, 'users');
  await expect(page.getByRole('cell', { name: 'Robin Desk', exact: true })).toBeVisible();
  await expectAccessible(page, 'users');
  const form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('Name').fill('Casey New');
  await form.getByLabel('Email').fill('casey-at-clinic');
  await form.getByLabel('Role').selectOption({ label: 'Front desk' });
  await form.getByLabel('Temporary password').fill(STAFF_PASSWORD);
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(form.locator('#nu-email-err')).toBeVisible();
  await form.getByLabel('Email').fill('casey@clinic.test');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(form.getByText('Casey New can now sign in as Front desk')).toBeVisible();
  const row = page.getByRole('row', { name: /Casey New/ });
  await expect(row).toContainText('Front desk');
  // The new login works.
  const casey = await StaffApi.as('casey@clinic.test');
  expect((await casey.call('GET', '/patients?q=Hart')).status).toBe(200);

  await row.getByRole('button', { name: 'Manage Casey New' }).click();
  const manage = page.getByRole('region', { name: 'Manage Casey New' });
  await manage.getByLabel('Role').selectOption({ label: 'Clinic manager' });
  await manage.getByRole('button', { name: 'Change role' }).click();
  await expect(manage.getByText('Casey New is now Clinic manager.')).toBeVisible();
  await expect(row).toContainText('Clinic manager');
  await manage.getByRole('button', { name: 'Deactivate…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Deactivate Casey New?' });
  await expectAccessible(page, 'deactivate dialog');
  await dialog.getByRole('button', { name: 'Deactivate' }).click();
  await expect(row).toContainText('Deactivated');
  const r = await fetch(`${seed().base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'casey@clinic.test', password: STAFF_PASSWORD }),
  });
  expect(r.status).toBe(401);
});

test('admin resets the second factor of a user who lost their authenticator', async ({ page }) => {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  expect((await admin.call('POST', '/users', { email: 'totp@clinic.test', password: STAFF_PASSWORD, display_name: 'Taylor Totp', role: 'front_desk' })).status).toBe(201);
  const taylor = await StaffApi.as('totp@clinic.test');
  const enrolled = await taylor.call('POST', '/auth/totp/enroll', { current_password: STAFF_PASSWORD });
  expect(enrolled.status).toBe(200);
  const confirmed = await taylor.call('POST', '/auth/totp/confirm', { current_password: STAFF_PASSWORD, code: oneTimeCode(enrolled.body.secret_base32) });
  expect(confirmed.status).toBe(204);
  await asAdmin(page, 'users');
  const row = page.getByRole('row', { name: /Taylor Totp/ });
  await expect(row).toContainText('Two-factor on');
  await row.getByRole('button', { name: 'Manage Taylor Totp' }).click();
  const manage = page.getByRole('region', { name: 'Manage Taylor Totp' });
  await manage.getByRole('button', { name: 'Reset two-factor…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reset two-factor for Taylor Totp?' });
  await dialog.getByRole('button', { name: 'Reset two-factor' }).click();
  await expect(manage.getByText('Two-factor sign-in was reset')).toBeVisible();
  await expect(row).not.toContainText('Two-factor on');
  const users = (await admin.call('GET', '/users?limit=200')).body.items;
  expect(users.find((u: any) => u.email === 'totp@clinic.test').totp_enabled).toBe(false);
});

test('admin adds a location and a room in it', async ({ page }) => {
  await asAdmin(page, 'places');
  await expect(page.getByRole('cell', { name: 'Harley Street', exact: true })).toBeVisible();
  await expectAccessible(page, 'locations and rooms');
  const loc = page.getByRole('form', { name: 'New location' });
  await loc.getByLabel('Name').fill('Marylebone');
  await loc.getByLabel('Address').fill('2 Marylebone High Street');
  await loc.getByRole('button', { name: 'Add location' }).click();
  await expect(page.getByRole('row', { name: /Marylebone/ })).toContainText('none');
  const room = page.getByRole('form', { name: 'New room' });
  await expect(room.getByLabel('Location')).toHaveValue(/.+/);
  await room.getByLabel('Room name').fill('Laser suite');
  await room.getByRole('button', { name: 'Add room' }).click();
  await expect(page.getByRole('row', { name: /Marylebone/ })).toContainText('Laser suite');
  const admin = await StaffApi.as(seed().admin.email);
  const rooms = (await admin.call('GET', '/rooms')).body.items.map((r: any) => r.name);
  expect(rooms).toContain('Laser suite');
});

test('admin adds a practitioner with working hours; time off or hours over a booking are refused and the booking listed', async ({ page }) => {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  const made = await admin.call('POST', '/users', { email: 'doctor3@clinic.test', password: STAFF_PASSWORD, display_name: 'Dr Iris Vale', role: 'practitioner' });
  expect(made.status).toBe(201);
  await asAdmin(page, 'practitioners');
  const form = page.getByRole('form', { name: 'New practitioner' });
  await form.getByLabel('Login').selectOption({ label: 'Dr Iris Vale (doctor3@clinic.test)' });
  await expect(form.getByLabel('Name on the calendar')).toHaveValue('Dr Iris Vale');
  await form.getByLabel('Title (optional)').fill('Dermatologist');
  await form.getByRole('button', { name: 'Add practitioner' }).click();
  const week = page.getByRole('region', { name: 'Working hours of Dr Iris Vale' });
  await expect(week.getByText('No working hours')).toBeVisible();
  const day = clinicDay(4);
  await week.getByRole('button', { name: 'Add a period' }).click();
  await week.getByRole('combobox', { name: 'Day' }).selectOption({ label: weekdayOf(day) });
  await week.getByRole('textbox', { name: 'From' }).fill('08:00');
  await week.getByRole('textbox', { name: 'To' }).fill('18:00');
  await expectAccessible(page, 'practitioner week');
  await week.getByRole('button', { name: 'Save working hours' }).click();
  await expect(week.getByText('Working hours saved: 1 period a week.')).toBeVisible();
  const practitioner = (await admin.call('GET', '/practitioners')).body.items.find((p: any) => p.display_name === 'Dr Iris Vale');
  const hours = (await admin.call('GET', `/practitioners/${practitioner.id}/working-hours`)).body;
  expect(hours.map((h: any) => [h.start.slice(0, 5), h.end.slice(0, 5)])).toEqual([['08:00', '18:00']]);

  // A booking, then time off over it: refused, and the booking named.
  const desk = await StaffApi.as(s.frontDesk.email);
  await desk.book(s.patients[4]!.id, practitioner.id, s.services.consult, at(day, '10:00'));
  const off = page.getByRole('region', { name: 'Time off of Dr Iris Vale' });
  await off.getByLabel('From (clinic time)').fill(`${day}T09:00`);
  await off.getByLabel('To (clinic time)').fill(`${day}T12:00`);
  await off.getByLabel('Reason (optional)').fill('Training');
  await off.getByRole('button', { name: 'Add time off' }).click();
  await expect(off.getByRole('alert')).toContainText('Not added: these open appointments fall in that time off');
  const stranded = off.getByRole('table', { name: 'Appointments in the time off' });
  await expect(stranded).toContainText('Zoe Lindqvist');
  await expect(stranded).toContainText('Consultation');
  await expect(stranded).toContainText('10:00');
  await expectAccessible(page, 'time off refused');
  expect((await admin.call('GET', `/practitioners/${practitioner.id}/time-off`)).body.items).toEqual([]);
  // Time off that strands nothing is added.
  await off.getByLabel('From (clinic time)').fill(`${day}T14:00`);
  await off.getByLabel('To (clinic time)').fill(`${day}T16:00`);
  await off.getByRole('button', { name: 'Add time off' }).click();
  await expect(off.getByText(/Time off added/)).toBeVisible();
  await expect(off.getByRole('listitem')).toContainText(['Training']);
  // Hours that would leave the booking outside them: refused too, the booking named, nothing changed.
  await week.getByRole('textbox', { name: 'To' }).fill('09:30');
  await week.getByRole('button', { name: 'Save working hours' }).click();
  await expect(week.getByRole('alert')).toContainText('Not saved: these open appointments would fall outside the new hours');
  await expect(week.getByRole('table', { name: 'Appointments outside the new hours' })).toContainText('Zoe Lindqvist');
  const kept = (await admin.call('GET', `/practitioners/${practitioner.id}/working-hours`)).body;
  expect(kept.map((h: any) => h.end.slice(0, 5))).toEqual(['18:00']);
});

test('admin adds a service with buffer, room, consent form, follow-ups and online booking', async ({ page }) => {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  await admin.call('POST', '/consent-templates', { title: 'Peel consent', scope: 'treatment', body_markdown: 'I consent to a peel.', risks: ['Redness'] });
  await asAdmin(page, 'services');
  await expect(page.getByRole('cell', { name: 'Stem cell facial', exact: true })).toBeVisible();
  const form = page.getByRole('form', { name: 'New service' });
  await form.getByLabel('Name').fill('Chemical peel');
  await form.getByLabel('Length (minutes)').fill('45');
  await form.getByLabel('Buffer after (minutes)').fill('10');
  await form.getByLabel('Needs a treatment room').check();
  await form.getByLabel('Consent form required').selectOption({ label: 'Peel consent' });
  await form.getByLabel('Follow-ups after (days)').fill('21, 42');
  await form.getByLabel('Follow-up service').selectOption({ label: 'Follow-up review' });
  await form.getByLabel('Patients may book it in the portal').check();
  await expectAccessible(page, 'services');
  await form.getByRole('button', { name: 'Add service' }).click();
  await expect(form.getByText('“Chemical peel” added.')).toBeVisible();
  const row = page.getByRole('row', { name: /Chemical peel/ });
  await expect(row).toContainText('45 min');
  await expect(row).toContainText('Consent: Peel consent');
  await expect(row).toContainText('Follow-up review after 21, 42 days');
  const peel = (await admin.call('GET', '/services')).body.items.find((x: any) => x.name === 'Chemical peel');
  expect([peel.duration_minutes, peel.buffer_minutes, peel.requires_room, peel.follow_up_days, peel.follow_up_service_id, peel.patient_bookable]).toEqual([
    45, 10, true, [21, 42], s.services.review, true,
  ]);
  // Edit it: a zero length is refused beside the field.
  await row.getByRole('button', { name: 'Edit Chemical peel' }).click();
  const edit = page.getByRole('form', { name: 'Edit Chemical peel' });
  await edit.getByLabel('Length (minutes)').fill('0');
  await edit.getByRole('button', { name: 'Save service' }).click();
  await expect(edit.locator('#svc-duration-err')).toBeVisible();
  await edit.getByLabel('Length (minutes)').fill('50');
  await edit.getByRole('button', { name: 'Save service' }).click();
  await expect(page.getByText('“Chemical peel” saved.')).toBeVisible();
  await expect(row).toContainText('50 min');
  // A stale edit: someone else saves first; the 412 is explained and a second save applies.
  await row.getByRole('button', { name: 'Edit Chemical peel' }).click();
  const current = await admin.call('GET', `/services/${peel.id}`);
  expect((await admin.call('PATCH', `/services/${peel.id}`, { buffer_minutes: 20 }, { 'If-Match': current.etag ?? '' })).status).toBe(200);
  await edit.getByLabel('Length (minutes)').fill('55');
  await edit.getByRole('button', { name: 'Save service' }).click();
  await expect(edit.getByRole('alert')).toContainText('Someone else changed this service meanwhile');
  await expect(edit.getByLabel('Length (minutes)')).toHaveValue('55');
  await edit.getByRole('button', { name: 'Save service' }).click();
  await expect(page.getByText('“Chemical peel” saved.')).toBeVisible();
  await expect(row).toContainText('55 min');
});

test('admin publishes a consent form, then a new version; the first stays as it was', async ({ page }) => {
  await asAdmin(page, 'consents');
  const form = page.getByRole('form', { name: 'New consent form' });
  await form.getByLabel('Title').fill('Microneedling consent');
  await form.getByLabel('Kind').selectOption({ label: 'Treatment' });
  await form.getByLabel('Text the patient signs').fill('I consent to microneedling.');
  await form.getByLabel('Risks (one per line)').fill('Redness\nSwelling');
  await form.getByLabel('Valid for (days, empty = no expiry)').fill('365');
  await expectAccessible(page, 'consent forms');
  await form.getByRole('button', { name: 'Publish form' }).click();
  const versions = page.getByRole('region', { name: 'Microneedling consent: versions' });
  await expect(versions).toContainText('I consent to microneedling.');
  await versions.getByRole('button', { name: 'New version…' }).click();
  const next = page.getByRole('form', { name: 'New version of Microneedling consent' });
  await expect(next.getByLabel('Text the patient signs')).toHaveValue('I consent to microneedling.');
  await next.getByLabel('Text the patient signs').fill('I consent to microneedling and aftercare.');
  await next.getByRole('button', { name: 'Publish new version' }).click();
  await expect(page.getByText('Published “Microneedling consent” version 2.')).toBeVisible();
  await expect(versions).toContainText('I consent to microneedling and aftercare.');
  await versions.getByRole('button', { name: 'Version 1' }).click();
  await expect(versions).toContainText('I consent to microneedling.');
  await expect(versions).not.toContainText('aftercare');
  const admin = await StaffApi.as(seed().admin.email);
  const all = (await admin.call('GET', '/consent-templates')).body.items.filter((t: any) => t.title === 'Microneedling consent');
  expect(all.map((t: any) => [t.version, t.body_markdown])).toEqual([
    [2, 'I consent to microneedling and aftercare.'],
    [1, 'I consent to microneedling.'],
  ]);
});

test('admin filters the audit log by patient and checks the chain', async ({ page }) => {
  const s = seed();
  const noah = s.patients.find((p) => p.name === 'Noah Bennett')!;
  const desk = await StaffApi.as(s.frontDesk.email);
  expect((await desk.call('GET', `/patients/${noah.id}/record`)).status).toBe(200);
  await asAdmin(page, 'audit');
  await expect(page.getByRole('table')).toBeVisible();
  await expectAccessible(page, 'audit log');
  await page.getByLabel('Patient MRN').fill(noah.mrn);
  await page.getByLabel('Who').selectOption({ label: 'Robin Desk (Front desk)' });
  await page.getByLabel('From (day)').fill(clinicDay(0));
  await page.getByLabel('To (day)').fill(clinicDay(0));
  await page.getByRole('button', { name: 'Show entries' }).click();
  await expect(page.getByText('Entries about Noah Bennett.')).toBeVisible();
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows.nth(1)).toContainText('Robin Desk');
  for (const row of await rows.all()) {
    const text = await row.innerText();
    if (text.startsWith('When')) continue;
    expect(text).toContain('Robin Desk');
  }
  // A day with nothing.
  await page.getByLabel('From (day)').fill('2001-01-01');
  await page.getByLabel('To (day)').fill('2001-01-02');
  await page.getByRole('button', { name: 'Show entries' }).click();
  await expect(page.getByText('No entries match.')).toBeVisible();
  // An unknown MRN says so.
  await page.getByLabel('Patient MRN').fill('NO-SUCH-MRN');
  await page.getByRole('button', { name: 'Show entries' }).click();
  await expect(page.getByText('No patient has the MRN “NO-SUCH-MRN”.')).toBeVisible();

  await page.getByRole('button', { name: 'Check the chain' }).click();
  await expect(page.getByText(/The audit chain is intact: all [\d,.\s]+ entries were checked/)).toBeVisible();
});
