// Screenshots of the practitioner's chart and the patient portal for docs/screenshots/
// (npm run screenshots): the chart, consultation, consent signing, procedure note, photo
// compare and outcome plots at 1280×800; the portal's pages at 360×740.
import type { BrowserContext, Page } from '@playwright/test';
import { resolve } from 'node:path';
import { test, expect, seed, signInByApi } from './fixtures';
import { StaffApi } from './clinic';
import { STAFF_PASSWORD } from './seed';
import { ok, treatedVisit, treatmentSetup, uploadPhoto } from './treatment';

const out = (name: string) => resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots', `${name}.png`);

/** A face-like test image (drawn in a blank page, not the app's), blotchy before, smoother after. */
async function faceImage(context: BrowserContext, after: boolean): Promise<Buffer> {
  const p = await context.newPage();
  await p.setViewportSize({ width: 480, height: 600 });
  const spots = after ? '' : Array.from({ length: 26 }, (_, i) => `<i style="left:${110 + ((i * 53) % 250)}px;top:${170 + ((i * 37) % 260)}px"></i>`).join('');
  await p.setContent(`<style>body{margin:0;background:#cfd8dc}div{position:absolute;left:90px;top:80px;width:300px;height:420px;border-radius:50%;background:${after ? '#f1c9a5' : '#e3a98a'}}i{position:absolute;width:14px;height:10px;border-radius:50%;background:#b5654a}</style><div></div>${spots}`);
  const buffer = await p.screenshot({ type: 'png' });
  await p.close();
  return buffer;
}

let story: Awaited<ReturnType<typeof treatedVisit>>;

test.beforeAll(async ({ browser }) => {
  story = await treatedVisit('Amira');
  const context = await browser.newContext();
  await uploadPhoto(story.doctor.email, story.patient.id, await faceImage(context, false), 'frontal', 'before', new Date(Date.now() - 1000).toISOString());
  await uploadPhoto(story.doctor.email, story.patient.id, await faceImage(context, true), 'frontal', 'after', new Date().toISOString());
  await context.close();
});

test('practitioner: today, chart, consultation, consent, procedure, photos, plots', async ({ page, context }) => {
  test.setTimeout(120_000);
  await signInByApi(context, story.doctor.email);
  await page.goto('/today');
  await expect(page.getByRole('listitem').filter({ hasText: story.patient.name })).toBeVisible();
  await page.screenshot({ path: out('today') });

  await page.goto(`/chart/${story.patient.id}`);
  await expect(page.getByRole('heading', { level: 1, name: story.patient.name })).toBeVisible();
  await expect(page.locator('#photos svg.wipe')).toBeVisible();
  await page.screenshot({ path: out('chart') });
  await page.locator('#photos').scrollIntoViewIfNeeded();
  await page.locator('#photos').screenshot({ path: out('photo-compare') });
  await page.locator('#measurements').screenshot({ path: out('measurement-plot') });

  await page.locator('#consultations a').first().click();
  await expect(page.getByRole('note', { name: 'Signed note' })).toBeVisible();
  await page.screenshot({ path: out('consultation') });

  await page.goto(`/chart/${story.patient.id}/procedures/${story.procedure.id}`);
  await expect(page.getByText('lot HCG-2291')).toBeVisible();
  await page.screenshot({ path: out('procedure-note') });

  // Consent signing at the tablet (a second consent, pending).
  const doc = await StaffApi.as(story.doctor.email);
  const { photoFamily } = await treatmentSetup();
  const pending = await ok(await doc.call('POST', `/patients/${story.patient.id}/consents`, { template_id: photoFamily }), 'pending');
  await page.goto(`/chart/${story.patient.id}/consents/${pending.id}`);
  await page.getByLabel("Signer's full name").fill(story.patient.name);
  await drawSignature(page);
  await page.screenshot({ path: out('consent-signing') });

  await page.goto('/outcomes');
  await page.getByLabel('Service').selectOption({ label: 'Consented stem cell facial' });
  await expect(page.getByText(/No patient treated with this service has a follow-up|Change from baseline/).first()).toBeVisible();
  await page.screenshot({ path: out('outcomes') });
});

test('portal pages on a phone', async ({ browser }) => {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  const email = `amira-${Date.now()}@patients.test`;
  await ok(await admin.call('POST', '/users', { email, password: STAFF_PASSWORD, display_name: story.patient.name, role: 'patient', patient_id: story.patient.id }), 'login');
  const doc = await StaffApi.as(story.doctor.email);
  const { treatmentFamily } = await treatmentSetup();
  await ok(await doc.call('POST', `/patients/${story.patient.id}/consents`, { template_id: treatmentFamily }), 'pending for the portal');
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, timezoneId: 'America/New_York', locale: 'en-GB' });
  const page = await context.newPage();
  await signInByApi(context, email);
  await page.goto('/me');
  await expect(page.getByRole('heading', { name: 'My appointments' })).toBeVisible();
  await expect(page.locator('.card').first()).toBeVisible();
  await page.screenshot({ path: out('portal-appointments') });
  await page.goto('/my-consents');
  await page.getByRole('button', { name: 'Stem cell facial consent' }).first().click();
  await expect(page.locator('.consent-text')).toBeVisible();
  await page.screenshot({ path: out('portal-consent'), fullPage: true });
  await page.goto('/my-record');
  await expect(page.getByRole('heading', { name: 'Notes from my visits' })).toBeVisible();
  await page.screenshot({ path: out('portal-record'), fullPage: true });
  await page.goto('/my-access');
  await expect(page.locator('.log li').first()).toBeVisible();
  await page.screenshot({ path: out('portal-access-log') });
  await context.close();
});

async function drawSignature(page: Page) {
  const box = await page.locator('.pad canvas').boundingBox();
  if (!box) throw new Error('no signature pad');
  await page.mouse.move(box.x + 30, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 30 + i * 25, box.y + box.height / 2 + (i % 2 ? -25 : 25), { steps: 3 });
  await page.mouse.up();
}
