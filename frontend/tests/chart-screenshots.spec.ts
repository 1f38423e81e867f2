// Screenshots of the practitioner's screens for docs/screenshots/ (npm run screenshots), on a
// visit made through the API today: Today, the chart, consultation, consent signing,
// procedure note and photo compare at 1280×800. The measurement and outcome plots with a
// whole follow-up series, the chart on a phone and the portal's pages come from the demo
// clinic (demo-screenshots.spec.ts): a history months long cannot be made through the API.
import type { BrowserContext, Page } from '@playwright/test';
import { resolve } from 'node:path';
import { test, expect, signInByApi } from './fixtures';
import { StaffApi } from './clinic';
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

test('practitioner: today, chart, consultation, consent, procedure, photos', async ({ page, context }) => {
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
  await page.getByLabel(/^Add me as witness/).check();
  await page.screenshot({ path: out('consent-signing') });
  // The whole form, down to the witness and the sign button (taller than 800).
  await page.screenshot({ path: out('consent-signing-full'), fullPage: true });
});

async function drawSignature(page: Page) {
  await page.locator('.pad canvas').scrollIntoViewIfNeeded();
  const box = await page.locator('.pad canvas').boundingBox();
  if (!box) throw new Error('no signature pad');
  await page.mouse.move(box.x + 30, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 30 + i * 25, box.y + box.height / 2 + (i % 2 ? -25 : 25), { steps: 3 });
  await page.mouse.up();
}
