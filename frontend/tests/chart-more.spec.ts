// More of the practitioner's chart on a tablet (1024×768): revoking a consent, signing with a
// finger, the procedure note's areas, preparation and amendment, the photo upload's progress
// and the gallery by view, the follow-up offsets on the plot, "entered in error" on every
// kind (the server judges the reason), Today's own day, the chart's order and details, the
// sample custody's stored and discarded steps, and the reports due in deadline order.
import type { Page } from '@playwright/test';
import { test, expect, signInByApi, expectAccessible, seed } from './fixtures';
import { at, clinicDay, StaffApi } from './clinic';
import { ok, newPatient, newPractitioner, photographyConsent, quarterNow, signedConsultation, TINY_PNG, treatedVisit, treatmentSetup, uploadPhoto, visitNow } from './treatment';

test.use({ viewport: { width: 1024, height: 768 } });

/** The clinic's (Europe/London) date and time of an instant, formatted as the page formats it. */
function clinicDateTime(page: Page, iso: string): Promise<string> {
  return page.evaluate(
    (i) => new Intl.DateTimeFormat(undefined, { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(i)),
    iso,
  );
}
function clinicDate(page: Page, iso: string): Promise<string> {
  return page.evaluate(
    (i) => new Intl.DateTimeFormat(undefined, { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(i)),
    iso,
  );
}

/** A real image to upload (a screenshot of a blank page, re-encoded by the server). */
async function image(page: Page): Promise<Buffer> {
  const other = await page.context().newPage();
  await other.setViewportSize({ width: 320, height: 240 });
  await other.goto('/favicon.svg');
  const buffer = await other.screenshot({ type: 'png' });
  await other.close();
  return buffer;
}

async function signedConsent(doctorEmail: string, patient: { id: string; name: string }): Promise<any> {
  const { treatmentFamily } = await treatmentSetup();
  const api = await StaffApi.as(doctorEmail);
  const c = await ok(await api.call('POST', `/patients/${patient.id}/consents`, { template_id: treatmentFamily }), 'consent');
  return ok(await api.call('POST', `/consents/${c.id}/sign`, { signer_name: patient.name, signature_png_base64: TINY_PNG, signer_kind: 'patient' }), 'sign consent');
}

test('a signed consent is revoked at the tablet with a reason; the chart then shows it revoked', async ({ page, context }) => {
  const { doctor, patient } = await visitNow('Rhea');
  const consent = await signedConsent(doctor.email, patient);
  await signInByApi(context, doctor.email);
  await page.goto(`/chart/${patient.id}`);
  const row = page.locator('#consents li').filter({ hasText: 'Stem cell facial consent' });
  await expect(row.locator('.state')).toHaveText('Signed');
  await row.getByRole('link', { name: 'Stem cell facial consent' }).click();
  await expect(page.getByRole('heading', { name: 'The text as signed' })).toBeVisible();
  await page.getByRole('button', { name: 'Revoke the consent' }).click();
  const revoke = page.getByRole('button', { name: 'Revoke', exact: true });
  await expect(revoke).toBeDisabled();
  await page.getByLabel('Reason').fill('The patient withdrew her consent at the desk');
  await expectAccessible(page, 'revoking a consent');
  await revoke.click();
  await expect(page.locator('p.status')).toContainText('Revoked');
  await expect(page.locator('p.status')).toContainText('The patient withdrew her consent at the desk');
  await expect(page.getByRole('button', { name: 'Revoke the consent' })).toHaveCount(0);
  // The server holds it revoked; the chart says so.
  const api = await StaffApi.as(doctor.email);
  const stored = await ok(await api.call('GET', `/consents/${consent.id}`), 'consent');
  expect(stored.status).toBe('revoked');
  await page.getByRole('link', { name: '← Back to the chart' }).click();
  await expect(row.locator('.state')).toHaveText('Revoked');
  await expectAccessible(page, 'chart with a revoked consent');
});

test.describe('on a touch screen', () => {
  test.use({ hasTouch: true });

  test('a consent is signed with a finger on the pad (touch, not the mouse)', async ({ page, context }) => {
    const { doctor, patient } = await visitNow('Tala');
    const { treatmentFamily } = await treatmentSetup();
    const api = await StaffApi.as(doctor.email);
    const consent = await ok(await api.call('POST', `/patients/${patient.id}/consents`, { template_id: treatmentFamily }), 'consent');
    await signInByApi(context, doctor.email);
    await page.goto(`/chart/${patient.id}/consents/${consent.id}`);
    await page.getByLabel("Signer's full name").fill(patient.name);
    const canvas = page.locator('.pad canvas');
    await canvas.scrollIntoViewIfNeeded();
    // Which kinds of pointer reach the pad.
    await canvas.evaluate((el) => {
      const kinds: string[] = [];
      (window as unknown as { padPointers: string[] }).padPointers = kinds;
      el.addEventListener('pointerdown', (e) => kinds.push((e as PointerEvent).pointerType));
    });
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no signature pad');
    // Real touch input (the browser turns it into pointer events of type "touch").
    const cdp = await context.newCDPSession(page);
    const point = (i: number) => ({ x: box.x + 30 + i * 25, y: box.y + box.height / 2 + (i % 2 ? -25 : 25) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point(0)] });
    for (let i = 1; i <= 12; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [point(i)] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect(page.getByText('Signature drawn.')).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { padPointers: string[] }).padPointers)).toEqual(['touch']);
    await page.getByRole('button', { name: 'Sign the consent' }).click();
    await expect(page.getByRole('heading', { name: 'The text as signed' })).toBeVisible();
    const stored = await ok(await api.call('GET', `/consents/${consent.id}`), 'consent');
    expect(stored.status).toBe('signed');
    expect(stored.signer_name).toBe(patient.name);
  });
});

test('a procedure note records the preparation and treated areas; amended with a reason, the original stays beside the amendment', async ({ page, context }) => {
  const s = seed();
  const { doctor, patient, appointment } = await visitNow('Ulla');
  await signedConsultation(doctor.email, patient.id);
  await signedConsent(doctor.email, patient);
  await ok(await (await StaffApi.as(s.frontDesk.email)).call('POST', `/appointments/${appointment.id}/check-in`, {}), 'check-in');
  await signInByApi(context, doctor.email);
  await page.goto(`/chart/${patient.id}/procedures/new?appointment=${appointment.id}`);
  await expect(page.getByLabel('Consent')).not.toHaveValue('');
  await page.getByLabel('Cleansing').fill('Povidone-iodine 10%');
  await page.getByLabel('Anaesthesia').fill('Nerve block, 2 ml');
  await page.getByLabel('Exfoliation').fill('Glycolic acid 20%');
  const areas = page.getByRole('group', { name: /^Treated areas/ });
  await areas.getByLabel('Area 1').fill('Forehead');
  await areas.getByLabel('Volume (ml)').nth(0).fill('1.5');
  await areas.getByRole('button', { name: 'Add an area' }).click();
  await areas.getByLabel('Area 2').fill('Tear troughs');
  await areas.getByLabel('Volume (ml)').nth(1).fill('0.8');
  await page.getByLabel('Product 1').fill('Hyaluronic carrier gel');
  await page.getByLabel('Lot number').fill('LOT-9001');
  await page.getByLabel('Expiry date').fill('2031-03-31');
  await page.getByLabel('Aftercare').fill('Cold compresses for 48 h.');
  await page.getByRole('button', { name: 'Save the note (draft)' }).click();
  await expect(page.getByRole('heading', { name: /Procedure note/ })).toContainText('DRAFT');
  const facts = page.locator('dl.facts');
  const fact = (name: string) => facts.locator('dt', { hasText: name }).locator('xpath=following-sibling::dd[1]');
  await expect(fact('Preparation')).toHaveText('Cleansing: Povidone-iodine 10%; anaesthesia: Nerve block, 2 ml; exfoliation: Glycolic acid 20%');
  await expect(fact('Treated areas')).toContainText('Forehead 1.5 ml, Tear troughs 0.8 ml');

  await page.getByRole('button', { name: 'Sign and lock the note' }).click();
  const seal = page.getByRole('note', { name: 'Signed note' });
  await expect(seal).toContainText('Signed and locked');
  await page.getByRole('button', { name: 'Amend' }).click();
  await page.getByLabel('Aftercare (amended)').fill('Cold compresses for 72 h; no sauna for a week.');
  const save = page.getByRole('button', { name: 'Save amendment' });
  await expect(save).toBeDisabled();
  await page.getByLabel('Reason for the amendment').fill('Swelling was more than expected');
  await expectAccessible(page, 'amending a procedure note');
  await save.click();
  const amendments = page.getByRole('region', { name: 'Amendments' });
  await expect(amendments).toContainText('Swelling was more than expected');
  await expect(amendments).toContainText('Cold compresses for 72 h; no sauna for a week.');
  await expect(amendments).toContainText(doctor.name);
  // The signed original, as it was, beside the amendment.
  await expect(fact('Aftercare')).toHaveText('Cold compresses for 48 h.');
  await expect(fact('Preparation')).toContainText('Povidone-iodine 10%');
  await expectAccessible(page, 'amended procedure note');
  const api = await StaffApi.as(doctor.email);
  const id = page.url().split('/').pop()!;
  const stored = await ok(await api.call('GET', `/procedures/${id}`), 'procedure');
  expect(stored.aftercare).toBe('Cold compresses for 48 h.');
  expect(stored.preparation).toEqual({ cleansing: 'Povidone-iodine 10%', anaesthesia: 'Nerve block, 2 ml', exfoliation: 'Glycolic acid 20%' });
  expect(stored.application.areas).toEqual([{ area: 'Forehead', volume_ml: 1.5 }, { area: 'Tear troughs', volume_ml: 0.8 }]);
  expect(stored.amendments.map((a: any) => a.reason)).toEqual(['Swelling was more than expected']);
});

test('a photo is taken with the camera input, shows its upload progress, and the gallery is grouped by view', async ({ page, context }) => {
  const { doctor, patient } = await visitNow('Vera');
  await photographyConsent(doctor.email, patient.id);
  await signInByApi(context, doctor.email);
  await page.goto(`/chart/${patient.id}`);
  const photos = page.locator('#photos');
  const input = photos.getByLabel('Photo (camera or file)');
  await expect(input).toHaveAttribute('type', 'file');
  await expect(input).toHaveAttribute('accept', 'image/*');
  await expect(input).toHaveAttribute('capture', /^(environment|user|)$/);
  expect(await input.evaluate((el) => el.hasAttribute('capture'))).toBe(true);

  // Hold the upload on its way to the server: the progress bar shows meanwhile.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  let arrived: () => void = () => {};
  const holding = new Promise<void>((r) => (arrived = r));
  await page.route('**/api/v1/patients/*/photos', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    arrived();
    await held;
    await route.continue();
  });
  await input.setInputFiles({ name: 'front.png', mimeType: 'image/png', buffer: await image(page) });
  await photos.getByRole('button', { name: 'Upload' }).click();
  await holding;
  const bar = photos.getByRole('progressbar', { name: 'Uploading…' });
  await expect(bar).toBeVisible();
  await expect(photos.getByRole('button', { name: 'Upload' })).toBeDisabled();
  await expectAccessible(page, 'photo uploading');
  release();
  await expect(photos.getByText('Before photo (Frontal) uploaded.')).toBeVisible();
  await expect(bar).toHaveCount(0);
  await page.unroute('**/api/v1/patients/*/photos');

  await input.setInputFiles({ name: 'left.png', mimeType: 'image/png', buffer: await image(page) });
  await photos.getByLabel('View', { exact: true }).first().selectOption('left_45');
  await photos.getByLabel('Kind').selectOption('follow_up');
  await photos.getByRole('button', { name: 'Upload' }).click();
  await expect(photos.getByText('Follow-up photo (Left 45°) uploaded.')).toBeVisible();

  const frontal = photos.getByRole('group', { name: 'Frontal', exact: true });
  const left = photos.getByRole('group', { name: 'Left 45°', exact: true });
  await expect(frontal.getByRole('img')).toHaveCount(1);
  await expect(frontal.getByRole('img')).toHaveAttribute('alt', /^Before photo, Frontal, /);
  await expect(left.getByRole('img')).toHaveCount(1);
  await expect(left.getByRole('img')).toHaveAttribute('alt', /^Follow-up photo, Left 45°, /);
  await expect(photos.getByRole('group', { name: 'Right 45°' })).toHaveCount(0);
  for (const img of [frontal.getByRole('img'), left.getByRole('img')]) {
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  }
  await expectAccessible(page, 'gallery by view');
});

test("the patient's measurements are plotted against the baseline with the follow-up offsets (14/42/90/180 days)", async ({ page, context }) => {
  const story = await treatedVisit('Wilma');
  await signInByApi(context, story.doctor.email);
  await page.goto(`/chart/${story.patient.id}`);
  const m = page.locator('#measurements');
  const plot = m.getByRole('img', { name: 'Skin moisture over time, days from the procedure' });
  await expect(plot).toBeVisible();
  await expect(plot.locator('circle')).toHaveCount(2);
  // Day 0 (the procedure) and the four follow-up offsets, each a labelled mark.
  await expect(plot.locator('line.mark')).toHaveCount(5);
  const ticks = await plot.locator('text.tick').allTextContents();
  for (const label of ['0 d', '14 d', '42 d', '90 d', '180 d']) expect(ticks, label).toContain(label);
  await expect(plot.locator('text.base-label')).toHaveText('baseline 38');
  await expect(plot).toContainText(`days from the procedure of ${await clinicDate(page, story.procedure.performed_at)}`);
  // Another metric: its own series, its own baseline.
  await m.getByLabel('Plot').selectOption('firmness');
  const firmness = m.getByRole('img', { name: 'Firmness over time, days from the procedure' });
  await expect(firmness.locator('text.base-label')).toHaveText('baseline 0.42');
  await expect(firmness.locator('line.mark')).toHaveCount(5);
  await expectAccessible(page, 'measurement plot');
});

test('entered in error on a procedure, a photo, a measurement and an adverse event: the reason is required (the server judges), then the item leaves the chart', async ({ page, context }) => {
  const story = await treatedVisit('Xena');
  const api = await StaffApi.as(story.doctor.email);
  await uploadPhoto(story.doctor.email, story.patient.id, await image(page), 'frontal', 'before', new Date().toISOString());
  await ok(
    await api.call('POST', `/patients/${story.patient.id}/adverse-events`, {
      kind: 'bruising',
      severity: 'mild',
      phase: 'application',
      onset_at: new Date().toISOString(),
      description: 'Bruise at the cheek injection site',
      action_taken: 'Arnica gel',
    }),
    'adverse event',
  );
  await signInByApi(context, story.doctor.email);
  await page.goto(`/chart/${story.patient.id}`);

  const cases = [
    { what: 'procedure note', items: page.locator('#procedures li'), empty: 'No procedures yet.', before: 1 },
    { what: 'photo', items: page.locator('#photos .gallery li'), empty: 'No photos yet.', before: 1 },
    { what: 'measurement', items: page.locator('#measurements .values li'), empty: null, before: 2 },
    { what: 'adverse event', items: page.locator('#adverse-events li'), empty: 'No adverse events.', before: 1 },
  ];
  for (const c of cases) {
    await expect(c.items, c.what).toHaveCount(c.before);
    const item = c.items.first();
    await item.getByRole('button', { name: `Entered in error: ${c.what}`, exact: true }).click();
    const form = page.getByRole('form', { name: `Mark this ${c.what} entered in error` });
    const mark = form.getByRole('button', { name: 'Mark entered in error' });
    // No reason: the server refuses (422), and the page says so in words; nothing leaves.
    const refused = page.waitForResponse((r) => r.url().endsWith('/entered-in-error') && r.request().method() === 'POST');
    await mark.click();
    expect((await refused).status(), c.what).toBe(422);
    await expect(form.getByRole('alert')).toHaveText(`Not marked: a reason is required — say why this ${c.what} is entered in error. Nothing was changed.`);
    await expect(form.getByLabel(`Why is this ${c.what} entered in error?`)).toHaveAttribute('aria-invalid', 'true');
    await expect(c.items).toHaveCount(c.before);
    await expectAccessible(page, `entered in error refused (${c.what})`);
    await form.getByLabel(`Why is this ${c.what} entered in error?`).fill(`Recorded in the wrong chart (${c.what})`);
    await mark.click();
    await expect(c.items, c.what).toHaveCount(c.before - 1);
    if (c.empty) await expect(page.getByText(c.empty)).toBeVisible();
  }
  await expect(page.locator('#measurements').getByRole('img', { name: /Skin moisture over time/ }).locator('circle')).toHaveCount(1);
  const record = await ok(await api.call('GET', `/patients/${story.patient.id}/record`), 'record');
  expect(record.procedures ?? []).toEqual([]);
  expect(record.photos ?? []).toEqual([]);
  expect(record.adverse_events ?? []).toEqual([]);
  expect((record.measurements ?? []).length).toBe(5);
});

test("Today lists only the practitioner's own day: another practitioner's appointment is not shown", async ({ page, context, secondPage }) => {
  const s = seed();
  const mine = await visitNow('Yara');
  const other = await newPractitioner('Dr Zelda Other');
  const theirPatient = await newPatient('Quinn');
  const desk = await StaffApi.as(s.frontDesk.email);
  const theirs = await desk.book(theirPatient.id, other.id, s.services.consult, at(clinicDay(0), quarterNow()));
  expect(theirs.practitioner_id).toBe(other.id);

  await signInByApi(context, mine.doctor.email);
  await page.goto('/today');
  await expect(page.getByRole('listitem').filter({ hasText: mine.patient.name })).toBeVisible();
  await expect(page.locator('.summary')).toContainText('1 appointment today');
  await expect(page.getByText(theirPatient.name)).toHaveCount(0);
  await expect(page.locator('.day-list > li')).toHaveCount(1);

  // And the other way round.
  const theirPage = await secondPage(other.email);
  await theirPage.setViewportSize({ width: 1024, height: 768 });
  await theirPage.goto('/today');
  await expect(theirPage.getByRole('listitem').filter({ hasText: theirPatient.name })).toBeVisible();
  await expect(theirPage.getByText(mine.patient.name)).toHaveCount(0);
  await expect(theirPage.locator('.day-list > li')).toHaveCount(1);
});

test('the chart lists newest first, shows each consent’s version and expiry, and the consultation has the seven checks plus "other"', async ({ page, context }) => {
  const s = seed();
  const { doctor, patient } = await visitNow('Alma');
  const api = await StaffApi.as(doctor.email);
  const desk = await StaffApi.as(s.frontDesk.email);
  const consent = await signedConsent(doctor.email, patient);
  // Appointments and adverse events made out of order.
  for (const days of [5, 2, 9]) await desk.book(patient.id, doctor.id, s.services.review, at(clinicDay(days), '10:00'));
  const day = 86400_000;
  for (const [kind, ago] of [['bruising', 3], ['swelling', 1], ['pain', 2]] as const) {
    await ok(
      await api.call('POST', `/patients/${patient.id}/adverse-events`, { kind, severity: 'mild', phase: 'aftercare', onset_at: new Date(Date.now() - ago * day).toISOString(), description: `Mild ${kind}`, action_taken: 'Observed' }),
      'adverse event',
    );
  }
  for (const [value, ago] of [[40, 30], [44, 1], [42, 10]] as const) {
    await ok(await api.call('POST', `/patients/${patient.id}/measurements`, { metric: 'skin_moisture', unit: "[arb'U]", value, measured_at: new Date(Date.now() - ago * day).toISOString() }), 'measurement');
  }
  await signInByApi(context, doctor.email);
  await page.goto(`/chart/${patient.id}`);
  await expect(page.getByRole('heading', { level: 1, name: patient.name })).toBeVisible();

  await expect(page.locator('#adverse-events li strong:first-child')).toHaveText(['swelling', 'pain', 'bruising']);
  await expect(page.locator('#measurements .values li strong')).toHaveText(['44', '42', '40']);
  const appointments = page.locator('#appointments li');
  await expect(appointments).toHaveCount(4);
  const expected = [];
  for (const days of [9, 5, 2]) expected.push(new RegExp(`^${await clinicDateTime(page, at(clinicDay(days), '10:00'))} · Follow-up review`));
  await expect(appointments.nth(0)).toHaveText(expected[0]!);
  await expect(appointments.nth(1)).toHaveText(expected[1]!);
  await expect(appointments.nth(2)).toHaveText(expected[2]!);

  const row = page.locator('#consents li').filter({ hasText: 'Stem cell facial consent' });
  await expect(row).toContainText(`version ${consent.template_version}`);
  await expect(row).toContainText(`expires ${await clinicDate(page, consent.expires_at)} (in `);
  await expect(row).toContainText(`signed ${await clinicDate(page, consent.signed_at)}`);

  // The consultation form: the seven contraindication checks, plus "other" with its override.
  await page.getByRole('navigation', { name: 'Chart actions' }).getByRole('link', { name: 'New consultation' }).click();
  const checks = page.getByRole('group', { name: 'Contraindications (tick what the patient has)' });
  await expect(checks.getByRole('checkbox')).toHaveCount(7);
  for (const label of [
    'Pregnancy or breastfeeding',
    'Active infection at the treatment site',
    'Active cancer',
    'Bleeding disorder',
    'Takes anticoagulants',
    'History of keloid scarring',
    'Isotretinoin in the last 6 months',
  ]) {
    await expect(checks.getByRole('checkbox', { name: label })).not.toBeChecked();
  }
  await checks.getByLabel('Other contraindication').fill('Chemical peel 10 days ago');
  await page.getByRole('button', { name: 'Save draft' }).click();
  const answer = page.getByRole('status').filter({ hasText: "The server's eligibility" });
  await expect(answer).toContainText('Not eligible');
  await checks.getByLabel('Override reason for the other contraindication').fill('Skin fully healed on examination');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(answer).toHaveText(/eligibility: Eligible/);
  await expectAccessible(page, 'consultation with other contraindication');

  // Signed: the lock shows when (signed_at), who, and the content hash the server stored.
  await page.getByRole('button', { name: 'Sign and lock' }).click();
  const seal = page.getByRole('note', { name: 'Signed note' });
  await expect(seal).toContainText('Signed and locked');
  const cid = page.url().split('/').pop()!.split('?')[0]!;
  const stored = await ok(await api.call('GET', `/consultations/${cid}`), 'consultation');
  expect(stored.status).toBe('signed');
  expect(stored.contraindication_other).toBe('Chemical peel 10 days ago');
  await expect(seal).toContainText(`Signed and locked ${await clinicDateTime(page, stored.signed_at)} by ${doctor.name}`);
  await expect(seal.locator('code')).toHaveText(stored.content_sha256);
});

test('the sample custody timeline shows stored and discarded, each with actor and time, and offers only the next legal step', async ({ page, context }) => {
  const story = await treatedVisit('Bea');
  await signInByApi(context, story.doctor.email);
  await page.goto(`/chart/${story.patient.id}/procedures/${story.procedure.id}`);
  const sample = page.getByRole('group', { name: /^Sample / });
  await expect(sample.locator('.head .state')).toHaveText('Processed');
  await expect(sample.locator('.next button')).toHaveText(['Mark stored', 'Apply to this patient', 'Discard']);
  await sample.getByRole('button', { name: 'Mark stored' }).click();
  await expect(sample.locator('.head .state')).toHaveText('Stored');
  await expect(sample.locator('.timeline li')).toHaveCount(3);
  // After storage: stored again (moved), applied or discarded — never processed again.
  await expect(sample.locator('.next button')).toHaveText(['Mark stored', 'Apply to this patient', 'Discard']);
  // Discarding cannot be undone: it is asked once more, and "keep" keeps it.
  await sample.getByRole('button', { name: 'Discard', exact: true }).click();
  const confirm = sample.getByRole('form', { name: /^Discard sample / });
  await expect(confirm).toContainText('This cannot be undone');
  await expect(sample.locator('.next').first().getByRole('button')).toHaveText(['Mark stored', 'Apply to this patient', 'Discard']);
  await expect(sample.locator('.next').first().getByRole('button', { name: 'Discard', exact: true })).toBeDisabled();
  await confirm.getByRole('button', { name: 'Keep the sample' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(sample.locator('.head .state')).toHaveText('Stored');
  await sample.getByRole('button', { name: 'Discard', exact: true }).click();
  await expectAccessible(page, 'discarding a sample');
  await confirm.getByRole('button', { name: 'Discard now' }).click();
  await expect(sample.locator('.head .state')).toHaveText('Discarded');
  await expect(sample.getByRole('button')).toHaveCount(0);
  await expect(sample).not.toContainText('viable until');

  const api = await StaffApi.as(story.doctor.email);
  const record = await ok(await api.call('GET', `/patients/${story.patient.id}/record`), 'record');
  const stored = await ok(await api.call('GET', `/samples/${record.samples[0].id}`), 'sample');
  expect(stored.status).toBe('discarded');
  expect(stored.events.map((e: any) => e.kind)).toEqual(['processed', 'stored', 'discarded']);
  const steps = sample.locator('.timeline li');
  await expect(steps).toHaveCount(4);
  await expect(steps.nth(0)).toHaveText(`Harvested ${await clinicDateTime(page, stored.harvested_at)}`);
  const words = ['Processed', 'Stored', 'Discarded'];
  for (const [i, e] of stored.events.entries()) {
    await expect(steps.nth(i + 1)).toHaveText(`${words[i]} ${await clinicDateTime(page, e.at)} · by ${story.doctor.name}`);
  }
  await expectAccessible(page, 'discarded sample');
});

test('reports due are sorted by deadline with the days left, and one is marked reported', async ({ page, context }) => {
  const { doctor, patient } = await visitNow('Cleo');
  const api = await StaffApi.as(doctor.email);
  const tag = patient.name.split(' ')[1]!;
  const event = async (severity: string, what: string) =>
    ok(
      await api.call('POST', `/patients/${patient.id}/adverse-events`, {
        kind: 'infection',
        severity,
        phase: 'aftercare',
        onset_at: new Date().toISOString(),
        description: `${what} ${tag}`,
        action_taken: 'Antibiotics',
      }),
      'adverse event',
    );
  // Recorded first but upgraded last: its deadline is the later one.
  const first = await event('severe', 'Upgraded later');
  const second = await event('serious', 'Serious from the start');
  const upgraded = await ok(await api.call('PATCH', `/adverse-events/${first.id}`, { severity: 'serious' }), 'upgrade');
  expect(Date.parse(upgraded.report_due_at)).toBeGreaterThan(Date.parse(second.report_due_at));
  // Whatever order the server lists them in, the page sorts by deadline: answer them reversed.
  await page.route(/\/api\/v1\/adverse-events\?/, async (route) => {
    const answer = await route.fetch();
    const body = await answer.json();
    body.items.sort((a: any, b: any) => Date.parse(b.report_due_at) - Date.parse(a.report_due_at));
    await route.fulfill({ response: answer, json: body });
  });
  await signInByApi(context, doctor.email);
  await page.goto('/reports-due');
  const rows = page.getByRole('row').filter({ hasText: tag });
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Serious from the start');
  await expect(rows.nth(1)).toContainText('Upgraded later');
  // Every row in deadline order, each with its days left.
  const all = await page.locator('tbody tr td:nth-child(2)').allTextContents();
  for (const cell of all) expect(cell).toMatch(/^(\d+ days? left|\d+ days overdue)$/);
  const left = all.map((t) => (t.includes('overdue') ? -1 : 1) * Number(t.match(/\d+/)![0]));
  expect(left).toEqual([...left].sort((a, b) => a - b));
  await expect(rows.nth(0).locator('td').nth(1)).toHaveText(/^1[45] days left$/);
  await expect(rows.nth(0).locator('td').nth(0)).toContainText(await clinicDateTime(page, second.report_due_at));
  await expectAccessible(page, 'reports due');

  const mark = rows.nth(0).getByRole('button', { name: 'Mark reported' });
  await expect(mark).toBeDisabled();
  await rows.nth(0).getByLabel("Regulator's reference").fill('MHRA-2026-0107');
  await mark.click();
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toContainText('Upgraded later');
  const reported = await ok(await api.call('GET', `/patients/${patient.id}/record`), 'record');
  const done = reported.adverse_events.find((e: any) => e.id === second.id);
  expect(done.report_reference).toBe('MHRA-2026-0107');
  expect(done.reported_at).toBeTruthy();
});
