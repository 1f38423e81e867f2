// Chart journeys beyond the visit: amending a signed note (the original stays beside the
// amendment), adverse events up to the regulator's report, measurements entered in their
// fixed units and plotted, and the photography-consent refusal in words.
import { test, expect, signInByApi, expectAccessible } from './fixtures';
import { ok, signedConsultation, treatedVisit, visitNow } from './treatment';
import { StaffApi } from './clinic';

test('a signed consultation is amended with a reason; the original stays beside the amendment', async ({ page, context }) => {
  const { doctor, patient } = await visitNow('Ines');
  await signedConsultation(doctor.email, patient.id);
  const api = await StaffApi.as(doctor.email);
  const chart = await ok(await api.call('GET', `/patients/${patient.id}/record`), 'chart');
  const id = chart.consultations[0].id;
  await signInByApi(context, doctor.email);
  await page.goto(`/chart/${patient.id}/consultations/${id}`);
  await expect(page.getByRole('note', { name: 'Signed note' })).toBeVisible();
  await expect(page.getByLabel('Plan')).toBeDisabled();
  await page.getByRole('button', { name: 'Amend' }).click();
  await page.getByLabel('Part to amend').selectOption('plan');
  await page.getByLabel('New text').fill('Review in 14 days instead of 42.');
  const save = page.getByRole('button', { name: 'Save amendment' });
  await expect(save).toBeDisabled();
  await page.getByLabel('Reason for the amendment').fill('Patient asked for an earlier review');
  await save.click();
  const amendments = page.getByRole('region', { name: 'Amendments' });
  await expect(amendments).toContainText('Patient asked for an earlier review');
  await expect(amendments).toContainText('Review in 14 days instead of 42.');
  await expect(amendments).toContainText(doctor.name);
  await expect(page.getByLabel('Plan')).toHaveValue('');
  await expectAccessible(page, 'amended consultation');
});

test('a serious adverse event is recorded, upgraded, resolved and reported before its deadline', async ({ page, context }) => {
  const { doctor, patient } = await visitNow('Kaia');
  await signInByApi(context, doctor.email);
  await page.goto(`/chart/${patient.id}`);
  const section = page.locator('#adverse-events');
  await section.getByRole('button', { name: 'Record an adverse event' }).click();
  await section.getByLabel('Kind').selectOption('infection');
  await section.getByLabel('Severity').selectOption('severe');
  await section.getByLabel('What happened').fill('Redness and warmth at the forehead injection sites.');
  await section.getByRole('button', { name: 'Record', exact: true }).click();
  const item = section.locator('li').filter({ hasText: 'infection' });
  await expect(item).toContainText('severe');
  await item.getByRole('button', { name: 'Upgrade to serious' }).click();
  await expect(item).toContainText('report due');
  await item.getByRole('button', { name: 'Resolve now' }).click();
  await expect(item).toContainText('resolved');
  await expectAccessible(page, 'adverse events');

  await page.getByRole('link', { name: 'Reports', exact: true }).click();
  const row = page.getByRole('row').filter({ hasText: 'Redness and warmth' });
  await expect(row).toContainText(/1[45] days left/);
  await expectAccessible(page, 'reports due');
  await row.getByLabel("Regulator's reference").fill('MHRA-2026-0042');
  await row.getByRole('button', { name: 'Mark reported' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Redness and warmth' })).toHaveCount(0);
});

test('measurements are entered in their fixed units and plotted against the baseline; a photo without photography consent is refused in words', async ({ page, context }) => {
  const { doctor, patient } = await visitNow('Lior');
  const api = await StaffApi.as(doctor.email);
  await ok(await api.call('POST', `/patients/${patient.id}/measurements`, { metric: 'skin_moisture', unit: "[arb'U]", value: 36, measured_at: new Date(Date.now() - 10 * 86400_000).toISOString() }), 'earlier');
  const units: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/measurements')) units.push(JSON.parse(r.postData() ?? '{}').unit);
  });
  await signInByApi(context, doctor.email);
  await page.goto(`/chart/${patient.id}`);
  const m = page.locator('#measurements');
  await m.getByRole('textbox', { name: /Skin moisture/ }).fill('44');
  await m.getByRole('textbox', { name: /Firmness/ }).fill('0.35');
  await m.getByRole('button', { name: 'Save measurements' }).click();
  await expect(m.getByRole('status')).toHaveText('2 measurements saved.');
  expect(units).toEqual(["[arb'U]", 'mm']);
  await expect(m.getByRole('img', { name: /Skin moisture over time/ }).locator('circle')).toHaveCount(2);
  await expect(m.locator('li').getByText('44', { exact: true })).toBeVisible();
  // Units in words for people; the UCUM code is only what goes over the wire.
  await expect(m.getByText("[arb'U]")).toHaveCount(0);
  await expect(m.locator('li').getByText('44', { exact: true }).locator('..')).toContainText('units');

  const photos = page.locator('#photos');
  const image = await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 200, height: 150 } });
  await photos.getByLabel('Photo (camera or file)').setInputFiles({ name: 'before.png', mimeType: 'image/png', buffer: image });
  await photos.getByRole('button', { name: 'Upload' }).click();
  await expect(photos.getByRole('alert')).toContainText('no valid photography consent');
  await expect(photos.getByText('No photos yet.')).toBeVisible();
  await expectAccessible(page, 'measurements and refused photo');
});

test('lot recall finds the procedures that used a lot; the outcomes page answers as table and plot', async ({ page, context }) => {
  const story = await treatedVisit('Runa');
  await signInByApi(context, story.doctor.email);
  await page.goto('/recall');
  await page.getByLabel('Product lot number').fill('HCG-2291');
  await page.getByRole('button', { name: 'Find procedures' }).click();
  await expect(page.getByRole('status')).toContainText('used lot HCG-2291');
  await expect(page.getByRole('listitem').filter({ hasText: 'Hyaluronic carrier gel' }).first()).toBeVisible();
  await expectAccessible(page, 'lot recall');
  await page.getByRole('link', { name: 'Outcomes' }).click();
  await page.getByLabel('Service').selectOption({ label: 'Consented stem cell facial' });
  await expect(page.getByText(/No patient treated with this service has a follow-up|Change from baseline/).first()).toBeVisible();
  await expectAccessible(page, 'outcomes');
});

test('a stale consultation edit is refused in words (412): nothing is overwritten until the draft is reloaded', async ({ page, context }) => {
  const { doctor, patient } = await visitNow('Tove');
  const api = await StaffApi.as(doctor.email);
  const draft = await ok(
    await api.call('POST', '/consultations', {
      patient_id: patient.id,
      concerns: ['fine_lines'],
      contraindications: { pregnancy: false, active_infection: false, active_cancer: false, bleeding_disorder: false, anticoagulants: false, keloid_history: false, recent_isotretinoin: false },
      eligibility: 'eligible',
      subjective: 'First words.',
    }),
    'draft',
  );
  await signInByApi(context, doctor.email);
  await page.goto(`/chart/${patient.id}/consultations/${draft.id}`);
  const subjective = page.getByLabel('Subjective');
  await expect(subjective).toHaveValue('First words.');

  // Behind the UI's back (another tab of the same practitioner): a change with the current ETag.
  const current = await api.call('GET', `/consultations/${draft.id}`);
  expect(current.etag, 'a draft answers its ETag').toBeTruthy();
  const other = await api.call('PATCH', `/consultations/${draft.id}`, { subjective: 'Changed in the other tab.' }, { 'if-match': current.etag! });
  expect(other.status, JSON.stringify(other.body)).toBe(200);

  await subjective.fill('Typed on the tablet.');
  await page.getByRole('button', { name: 'Save draft' }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'Not saved' });
  await expect(refusal).toContainText('someone changed this draft elsewhere');
  await expect(refusal).toContainText('Reload it to see the current version');
  await expectAccessible(page, 'stale consultation');
  // Saving again is refused again: the other tab's text is never overwritten unseen.
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(refusal).toBeVisible();
  expect((await api.call('GET', `/consultations/${draft.id}`)).body.subjective).toBe('Changed in the other tab.');
  // Reloading shows the current version; a save from there goes through.
  await refusal.getByRole('button', { name: 'Reload the draft' }).click();
  await expect(subjective).toHaveValue('Changed in the other tab.');
  await expect(page.getByRole('alert').filter({ hasText: 'Not saved' })).toHaveCount(0);
  await subjective.fill('Changed in the other tab. Seen and extended on the tablet.');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText(/^Draft saved\./)).toBeVisible();
  expect((await api.call('GET', `/consultations/${draft.id}`)).body.subjective).toBe('Changed in the other tab. Seen and extended on the tablet.');
});
