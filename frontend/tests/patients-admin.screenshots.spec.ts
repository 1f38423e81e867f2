// Screenshots of the patients and clinic set-up screens at 1280×800 (and two at 1024×768)
// for docs/screenshots/ (npm run screenshots runs every *screenshots.spec.ts).
import type { Page } from '@playwright/test';
import { test, expect, seed, signInByApi } from './fixtures';
import { at, clinicDay, StaffApi } from './clinic';
import { STAFF_PASSWORD } from './seed';
import { resolve } from 'node:path';

const out = (name: string) => resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots', `${name}.png`);

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: out(name) });
}

test('patients screens', async ({ page, context }) => {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  const desk = await StaffApi.as(s.frontDesk.email);
  await admin.call('POST', '/consent-templates', { title: 'Stem cell facial consent', scope: 'treatment', body_markdown: 'I consent.', risks: [] });
  const amelia = s.patients[0]!;
  await admin.call('PATCH', `/patients/${amelia.id}`, { email: 'amelia@example.test', address: '12 Example Road\nLondon NW1 1AA' });
  const day = clinicDay(2); // not tomorrow: screenshots.spec.ts fills tomorrow's calendar with these practitioners
  await desk.book(amelia.id, s.practitioners[0]!.id, s.services.consult, at(day, '09:00'));
  await desk.book(amelia.id, s.practitioners[1]!.id, s.services.facial, at(clinicDay(8), '11:30'));
  const templates = (await desk.call('GET', '/consent-templates')).body.items;
  await desk.call('POST', `/patients/${amelia.id}/consents`, { template_id: templates[0].id });

  await signInByApi(context, s.frontDesk.email);
  await page.goto('/patients');
  await page.getByRole('combobox', { name: /Search patients/ }).fill('020');
  await expect(page.getByRole('option').first()).toBeVisible();
  await shoot(page, 'patients-search');

  await page.goto(`/patients/${amelia.id}`);
  await expect(page.getByRole('heading', { name: amelia.name })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Consultation' })).toBeVisible();
  await shoot(page, 'patients-chart');
  await page.setViewportSize({ width: 1024, height: 768 });
  await shoot(page, 'patients-chart-tablet-1024');
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.goto('/patients/new');
  await page.getByLabel('Given name').fill('Imogen');
  await page.getByLabel('Family name').fill('Fairweather');
  await page.getByLabel('Date of birth').fill('1990-04-12');
  await page.getByLabel('Email').fill('imogen-at-example');
  await page.getByRole('button', { name: 'Register patient' }).click();
  await expect(page.locator('#pf-email-err')).toBeVisible();
  await shoot(page, 'patients-register-errors');

  const made = await desk.call('POST', '/patients', { given_name: 'Olive', family_name: 'Stale', date_of_birth: '1971-09-09' });
  await page.goto(`/patients/${made.body.id}/edit`);
  await expect(page.getByLabel('Given name')).toHaveValue('Olive');
  await desk.call('PATCH', `/patients/${made.body.id}`, { phone: '020 7946 0999' }, { 'If-Match': made.etag ?? '' });
  await page.getByLabel('Email').fill('olive@example.test');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('What the other person changed')).toBeVisible();
  await shoot(page, 'patients-edit-412');

  await page.goto('/patients/import');
  const bad = ['given_name,family_name,date_of_birth,email', 'Ann,Csvone,1981-02-03,', 'Ben,,1982-02-03,', 'Cat,Csvthree,not-a-date,cat@example', 'Amelia,Hart,1985-03-14,'].join('\n');
  await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText('Nothing was imported');
  await shoot(page, 'patients-import-errors');
});

test('clinic set-up screens', async ({ page, context }) => {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  await admin.call('POST', '/consent-templates', { title: 'Photography consent', scope: 'photography', body_markdown: 'I agree to clinical photographs being taken and kept in my record.\n\nThey are never shown outside the clinic without my separate consent.', risks: ['Photographs are part of the medical record'], valid_for_days: 365 });
  await signInByApi(context, s.admin.email, s.admin.password);

  await page.goto('/admin/users');
  await expect(page.getByRole('cell', { name: 'Robin Desk', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Manage Robin Desk' }).click();
  await shoot(page, 'admin-users');

  await page.goto('/admin/places');
  await expect(page.getByRole('cell', { name: 'Harley Street', exact: true })).toBeVisible();
  await shoot(page, 'admin-locations-rooms');

  // Time off over a booking: refused, the booking listed.
  const ada = s.practitioners[0]!;
  const desk = await StaffApi.as(s.frontDesk.email);
  const day = clinicDay(5);
  await desk.book(s.patients[1]!.id, ada.id, s.services.consult, at(day, '10:00'));
  await page.goto('/admin/practitioners');
  await page.getByRole('button', { name: `Hours and time off for ${ada.name}` }).click();
  const off = page.getByRole('region', { name: `Time off of ${ada.name}` });
  await off.getByLabel('From (clinic time)').fill(`${day}T09:00`);
  await off.getByLabel('To (clinic time)').fill(`${day}T13:00`);
  await off.getByLabel('Reason (optional)').fill('Conference');
  await off.getByRole('button', { name: 'Add time off' }).click();
  await expect(off.getByRole('alert')).toBeVisible();
  await expect(off.getByRole('table')).toContainText('Noah Bennett');
  await shoot(page, 'admin-practitioners');
  await page.setViewportSize({ width: 1024, height: 768 });
  await off.scrollIntoViewIfNeeded();
  await shoot(page, 'admin-practitioners-tablet-1024');
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.goto('/admin/services');
  await expect(page.getByRole('cell', { name: 'Stem cell facial', exact: true })).toBeVisible();
  await shoot(page, 'admin-services');

  await page.goto('/admin/consents');
  await page.getByRole('button', { name: 'Versions of Photography consent' }).click();
  await page.getByRole('button', { name: 'New version…' }).click();
  await shoot(page, 'admin-consent-forms');

  await page.goto('/admin/audit');
  await expect(page.getByRole('table')).toBeVisible();
  await page.getByRole('button', { name: 'Check the chain' }).click();
  await expect(page.getByText(/The audit chain is intact/)).toBeVisible();
  await shoot(page, 'admin-audit');
});
