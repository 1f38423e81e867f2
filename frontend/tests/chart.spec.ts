// The practitioner's day and the chart: one click from Today into the chart, drafts
// loudly marked, entered-in-error items gone (a reason is required to mark one).
import { test, expect, signInByApi, expectAccessible } from './fixtures';
import { doctorApi, ok, visitNow } from './treatment';

const screened = (patient: string, appointment: string | null = null) => ({
  patient_id: patient,
  appointment_id: appointment,
  concerns: ['fine_lines'],
  contraindications: {
    pregnancy: false,
    active_infection: false,
    active_cancer: false,
    bleeding_disorder: false,
    anticoagulants: false,
    keloid_history: false,
    recent_isotretinoin: false,
  },
  eligibility: 'eligible',
  subjective: 'Wants fresher skin.',
});

test("Today shows the practitioner's own day and opens the chart in one click", async ({ page, context }) => {
  const { doctor, patient, appointment } = await visitNow('Iris');
  const api = await doctorApi(doctor.email);
  await ok(await api.call('POST', '/consultations', screened(patient.id)), 'draft');
  const wrong = await ok(await api.call('POST', '/consultations', { ...screened(patient.id), subjective: 'Wrong patient' }), 'second');
  await ok(await api.call('POST', `/consultations/${wrong.id}/entered-in-error`, { reason: 'Written in the wrong chart' }), 'eie');

  await signInByApi(context, doctor.email);
  await page.goto('/today');
  const row = page.getByRole('listitem').filter({ hasText: patient.name });
  await expect(row).toContainText('Booked');
  await expectAccessible(page, 'today');
  await row.getByRole('button', { name: /Check in/ }).click();
  await expect(row).toContainText('Checked in');
  await expect(page.getByText(`checked in: ${patient.name}`)).toBeVisible();

  await row.getByRole('link', { name: patient.name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/chart/${patient.id}\\?appointment=${appointment.id}`));
  await expect(page.getByRole('heading', { level: 1, name: patient.name })).toBeVisible();
  await expect(page.locator('.allergies')).toContainText('Lidocaine');
  await expect(page.locator('.meds')).toContainText('Levothyroxine');
  await expect(page.getByRole('region', { name: 'This visit' })).toContainText('Checked in');
  const consultations = page.locator('#consultations li');
  await expect(consultations).toHaveCount(1);
  await expect(consultations.first()).toContainText('DRAFT — not signed');
  await expectAccessible(page, 'chart');

  // Entered in error needs a reason; then the item leaves the chart.
  await consultations.first().getByRole('button', { name: /Entered in error/ }).click();
  const mark = page.getByRole('button', { name: 'Mark entered in error' });
  // An empty reason goes to the server, which refuses it; the refusal is said in words.
  await mark.click();
  await expect(page.getByRole('alert')).toContainText('a reason is required');
  await expect(consultations).toHaveCount(1);
  await page.getByLabel('Why is this consultation entered in error?').fill('Duplicate of the paper note');
  await mark.click();
  await expect(page.locator('#consultations li')).toHaveCount(0);
  await expect(page.getByText('No consultations yet.')).toBeVisible();
});
