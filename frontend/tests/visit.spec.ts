// The whole stem cell facial visit on a tablet (1024×768): check-in → consultation signed
// eligible → consent signed on the pad → procedure with lot → sample applied → signed
// note → photos uploaded → the compare view shows before and after. And a procedure
// refused without consent, explained in words with the action that fixes it.
import type { Page } from '@playwright/test';
import { test, expect, signInByApi, expectAccessible } from './fixtures';
import { CONSENT_TEXT, ok, photographyConsent, signedConsultation, treatedVisit, treatmentSetup, visitNow } from './treatment';
import { StaffApi } from './clinic';
import { seed } from './fixtures';

test.use({ viewport: { width: 1024, height: 768 } });

/** Draws a signature on the pad with the mouse. */
async function drawSignature(page: Page) {
  await page.locator('.pad canvas').scrollIntoViewIfNeeded();
  const box = await page.locator('.pad canvas').boundingBox();
  if (!box) throw new Error('no signature pad');
  await page.mouse.move(box.x + 30, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 30 + i * 25, box.y + box.height / 2 + (i % 2 ? -25 : 25), { steps: 3 });
  await page.mouse.up();
}

async function photo(page: Page): Promise<Buffer> {
  // A real image to upload: a screenshot of a coloured square (the server re-encodes it).
  const other = await page.context().newPage();
  await other.setViewportSize({ width: 320, height: 240 });
  await other.goto('/favicon.svg');
  const buffer = await other.screenshot({ type: 'png' });
  await other.close();
  return buffer;
}

test('the whole facial visit on a tablet, from check-in to the before/after compare', async ({ page, context }) => {
  test.setTimeout(120_000);
  const { doctor, patient } = await visitNow('Maya');
  await photographyConsent(doctor.email, patient.id);
  await signInByApi(context, doctor.email);

  // Check-in and start from Today, then one click into the chart.
  await page.goto('/today');
  const row = page.getByRole('listitem').filter({ hasText: patient.name });
  await row.getByRole('button', { name: /Check in/ }).click();
  await expect(row).toContainText('Checked in');
  await row.getByRole('button', { name: /Start/ }).click();
  await expect(row).toContainText('In progress');
  await row.getByRole('link', { name: patient.name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: patient.name })).toBeVisible();

  // Consultation: screened, saved as a draft, the server's answer shown, signed.
  await page.getByRole('region', { name: 'This visit' }).getByRole('link', { name: 'New consultation' }).click();
  await page.getByLabel('Fine lines').check();
  await page.getByLabel('Takes anticoagulants').check();
  await page.getByLabel('Subjective').fill('Wants fresher skin on the forehead.');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByRole('status').filter({ hasText: "The server's eligibility" })).toContainText('Not eligible');
  await page.getByLabel('Override reason (treat anyway because…)').fill('Aspirin 75 mg paused 7 days ago by the GP');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByRole('status').filter({ hasText: "The server's eligibility" })).toHaveText(/eligibility: Eligible/);
  await expectAccessible(page, 'consultation');
  await page.getByRole('button', { name: 'Sign and lock' }).click();
  const seal = page.getByRole('note', { name: 'Signed note' });
  await expect(seal).toContainText('Signed and locked');
  await expect(seal).toContainText(doctor.name);
  await expect(seal.locator('code')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByLabel('Subjective')).toBeDisabled();

  // Consent at the tablet: the exact text, signed on the pad.
  await page.getByRole('link', { name: '← Back to the chart' }).click();
  await expect(page.getByLabel('Request the consent of')).toHaveValue(/.+/);
  await page.getByRole('button', { name: 'Request consent' }).click();
  await expect(page.getByText(CONSENT_TEXT)).toBeVisible();
  const signButton = page.getByRole('button', { name: 'Sign the consent' });
  await page.getByLabel("Signer's full name").fill(patient.name);
  await expect(signButton).toBeDisabled();
  await drawSignature(page);
  await expect(page.getByText('Signature drawn.')).toBeVisible();
  await expectAccessible(page, 'consent signing');
  await signButton.click();
  await expect(page.getByText(`Signed`, { exact: false }).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'The text as signed' })).toBeVisible();
  await expect(page.locator('.facts code')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.locator('.facts')).toContainText(doctor.name);

  // Procedure note with a product lot, linked to the visit.
  await page.getByRole('link', { name: '← Back to the chart' }).click();
  await page.getByRole('region', { name: 'This visit' }).getByRole('link', { name: 'Procedure note' }).click();
  await expect(page.getByLabel('Consent')).not.toHaveValue('');
  await page.getByLabel('Product 1').fill('Hyaluronic carrier gel');
  await page.getByLabel('Lot number').fill('LOT-4711');
  await page.getByLabel('Expiry date').fill('2030-01-31');
  await page.getByRole('button', { name: 'Save the note (draft)' }).click();
  await expect(page.getByRole('heading', { name: /Procedure note/ })).toContainText('DRAFT');
  await expect(page.getByText('lot LOT-4711')).toBeVisible();
  await expectAccessible(page, 'procedure note');

  // The sample: labelled, processed, applied to this patient (the donor).
  await page.getByRole('button', { name: 'Label a new sample from this harvest' }).click();
  const sample = page.getByRole('group', { name: /^Sample / });
  await expect(sample).toContainText('viable until');
  await expect(sample.getByRole('button')).toHaveText(['Mark processed', 'Discard']);
  await sample.getByRole('button', { name: 'Mark processed' }).click();
  await expect(sample).toContainText(`Processed`);
  await sample.getByRole('button', { name: 'Apply to this patient' }).click();
  await expect(sample.getByLabel('Patient in the chair')).toHaveValue(patient.id);
  await sample.getByRole('button', { name: `Apply now to ${patient.name}` }).click();
  await expect(sample).toContainText('Applied to the patient');
  await expect(sample.getByRole('button')).toHaveCount(0);
  await expect(sample.locator('.timeline li')).toHaveCount(3);
  await expect(sample.locator('.timeline')).toContainText(`by ${doctor.name}`);

  // Signed note.
  await page.getByRole('button', { name: 'Sign and lock the note' }).click();
  await expect(page.getByRole('note', { name: 'Signed note' })).toContainText('Signed and locked');

  // Photos: before and after of the frontal view, then the compare.
  await page.getByRole('link', { name: '← Back to the chart' }).click();
  const photos = page.locator('#photos');
  await photos.getByLabel('Photo (camera or file)').setInputFiles({ name: 'before.png', mimeType: 'image/png', buffer: await photo(page) });
  await photos.getByLabel('Kind').selectOption('before');
  await photos.getByRole('button', { name: 'Upload' }).click();
  await expect(photos.getByText('Before photo (Frontal) uploaded.')).toBeVisible();
  await photos.getByLabel('Photo (camera or file)').setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: await photo(page) });
  await photos.getByLabel('Kind').selectOption('after');
  await photos.getByRole('button', { name: 'Upload' }).click();
  await expect(photos.getByText('After photo (Frontal) uploaded.')).toBeVisible();
  const wipe = photos.getByRole('img', { name: /Before, .* on the left, After, .* on the right/ });
  await expect(wipe).toBeVisible();
  await expect(wipe.locator('image')).toHaveCount(2);
  await photos.getByLabel('How much of the before photo to show').fill('30');
  await photos.getByRole('button', { name: 'Side by side' }).click();
  const before = photos.getByRole('img', { name: /^Before, / });
  const after = photos.getByRole('img', { name: /^After, / });
  await expect(before).toBeVisible();
  await expect(after).toBeVisible();
  for (const img of [before, after]) {
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  }
  await expectAccessible(page, 'chart with photos');
});

test('a procedure without consent is refused, said in words, with the action that fixes it', async ({ page, context }) => {
  const { doctor, patient, appointment } = await visitNow('Nora');
  await signedConsultation(doctor.email, patient.id);
  await signInByApi(context, doctor.email);
  await page.goto('/today');
  await page.getByRole('listitem').filter({ hasText: patient.name }).getByRole('button', { name: /Check in/ }).click();
  await page.goto(`/chart/${patient.id}/procedures/new?appointment=${appointment.id}`);
  await expect(page.getByLabel('Consent')).toHaveValue('');
  await page.getByRole('button', { name: 'Save the note (draft)' }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'Not allowed' });
  await expect(refusal).toContainText('no valid consent signed before');
  await expectAccessible(page, 'procedure refused');
  // What was typed stays; the fix is one click away.
  await expect(page.getByLabel('Harvest site')).toHaveValue('Abdomen');
  await refusal.getByRole('button', { name: 'Request the consent now' }).click();
  await expect(page.getByText(CONSENT_TEXT)).toBeVisible();
  await expect(page.getByText("Waiting for the patient's signature")).toBeVisible();
});

test("a sample is refused for anyone but its donor, said in words, and nothing is applied", async ({ page, context }) => {
  // The donor's visit is in progress with a processed sample; another patient is checked in now.
  const donor = await treatedVisit('Otto');
  const other = await visitNow('Pia');
  await ok(await (await StaffApi.as(seed().frontDesk.email)).call('POST', `/appointments/${other.appointment.id}/check-in`, {}), 'check-in');
  const api = await StaffApi.as(donor.doctor.email);
  const sampleId = (await ok(await api.call('GET', `/patients/${donor.patient.id}/record`), 'record')).samples[0].id;

  await signInByApi(context, donor.doctor.email);
  await page.goto(`/chart/${donor.patient.id}/procedures/${donor.procedure.id}`);
  const sample = page.getByRole('group', { name: /^Sample / });
  await expect(sample).toContainText('Processed');
  await sample.getByRole('button', { name: 'Apply to this patient' }).click();
  // The wrong patient in the chair.
  await sample.getByLabel('Patient in the chair').selectOption({ label: other.patient.name });
  await sample.getByRole('button', { name: `Apply now to ${other.patient.name}` }).click();
  const refusal = sample.getByRole('alert');
  await expect(refusal).toContainText(`cannot be given to ${other.patient.name}`);
  await expect(refusal).toContainText('Cells go back only to the person they were taken from (the donor)');
  await expect(refusal).toContainText('Nothing was applied');
  await expectAccessible(page, 'donor refusal');
  // The server refused it: the sample is still only processed.
  const after = await ok(await api.call('GET', `/samples/${sampleId}`), 'sample');
  expect(after.status).toBe('processed');
  expect(after.events.map((e: any) => e.kind)).toEqual(['processed']);
  // The donor receives it.
  await sample.getByLabel('Patient in the chair').selectOption(donor.patient.id);
  await sample.getByRole('button', { name: `Apply now to ${donor.patient.name}` }).click();
  await expect(sample).toContainText('Applied to the patient');
  expect((await ok(await api.call('GET', `/samples/${sampleId}`), 'sample')).status).toBe('applied');
});

test('a consent signed on the pad with a witness shows the witness', async ({ page, context }) => {
  const { doctor, patient } = await visitNow('Wren');
  const { treatmentFamily } = await treatmentSetup();
  const api = await StaffApi.as(doctor.email);
  const consent = await ok(await api.call('POST', `/patients/${patient.id}/consents`, { template_id: treatmentFamily }), 'consent');
  await signInByApi(context, doctor.email);
  await page.goto(`/chart/${patient.id}/consents/${consent.id}`);
  await expect(page.getByText(CONSENT_TEXT)).toBeVisible();
  await page.getByLabel("Signer's full name").fill(patient.name);
  await drawSignature(page);
  const witness = page.getByLabel(`Add me as witness: I, ${doctor.name}, saw the patient sign`);
  await expect(witness).not.toBeChecked();
  await witness.check();
  await page.getByRole('button', { name: 'Sign the consent' }).click();
  await expect(page.getByRole('heading', { name: 'The text as signed' })).toBeVisible();
  const facts = page.locator('.facts');
  await expect(facts.locator('dt', { hasText: 'Witness' }).locator('xpath=following-sibling::dd[1]')).toContainText(doctor.name);
  await expectAccessible(page, 'witnessed consent');
  const stored = await ok(await api.call('GET', `/consents/${consent.id}`), 'consent');
  expect(stored.status).toBe('signed');
  expect(stored.witness_id).toBeTruthy();
  expect(stored.witnessed_at).toBeTruthy();
  const me = await ok(await api.call('GET', '/auth/me'), 'me');
  expect(stored.witness_id).toBe(me.id);
});
