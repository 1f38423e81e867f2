// Screenshots of the main screens at 1280×800 for docs/screenshots/ (npm run screenshots).
import type { Page } from '@playwright/test';
import { test, expect, seed, signInByApi } from './fixtures';
import { at, clinicDay, StaffApi } from './clinic';
import { resolve } from 'node:path';

/** Shows only the seeded practitioners (other screenshot specs add their own, some working all day). */
async function onlySeedPractitioners(page: Page) {
  const names = new Set(seed().practitioners.map((p) => p.name));
  const filter = page.getByRole('group', { name: 'Practitioners' });
  await expect(filter.getByRole('checkbox').first()).toBeVisible();
  for (const box of await filter.getByRole('checkbox').all()) {
    const label = (await box.locator('xpath=..').innerText()).trim();
    if (!names.has(label) && (await box.isChecked())) await box.uncheck();
  }
}

const out = (name: string) => resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots', `${name}.png`);

test('sign-in', async ({ page }) => {
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in to DermaChart' })).toBeVisible();
  await page.screenshot({ path: out('sign-in') });
});

test('calendar day, week and booking panel', async ({ page, context }) => {
  const s = seed();
  const desk = await StaffApi.as(s.frontDesk.email);
  const day = clinicDay(1);
  const [p1, p2] = s.practitioners;
  const pt = s.patients;
  const plan: [number, string, string, string][] = [
    [0, '09:00', s.services.consult, 'confirm'],
    [1, '09:30', s.services.facial, ''],
    [2, '10:15', s.services.consult, 'check-in'],
    [3, '11:00', s.services.review, 'no-show'],
    [4, '12:30', s.services.consult, 'cancel'],
    [0, '14:00', s.services.facial, 'confirm'],
  ];
  for (const [i, [who, time, service, action]] of plan.entries()) {
    const practitioner = i % 2 === 0 ? p1! : p2!;
    const a = await desk.book(pt[who]!.id, practitioner.id, service, at(day, time));
    if (action) await desk.call('POST', `/appointments/${a.id}/${action}`, action === 'cancel' ? { reason: 'Patient is unwell' } : {});
  }
  await signInByApi(context, s.frontDesk.email);
  await page.goto('/calendar');
  await onlySeedPractitioners(page);
  await page.getByRole('button', { name: 'Next day' }).click();
  await expect(page.locator('.ec-event.appt').first()).toBeVisible();
  await page.screenshot({ path: out('calendar-day') });
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await expect(page.locator('.ec-event.appt').first()).toBeVisible();
  await page.screenshot({ path: out('calendar-week') });
  await page.getByRole('button', { name: 'Day', exact: true }).click();
  await page.getByRole('button', { name: 'Privacy', exact: true }).click();
  await page.screenshot({ path: out('calendar-privacy') });
  await page.getByRole('button', { name: 'Privacy: on', exact: true }).click();
  await page.locator('.ec-event.appt').first().click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.screenshot({ path: out('calendar-appointment') });
  await page.keyboard.press('Escape');
  // A click on a free cell opens the booking panel right there.
  const col = await page.locator('.ec-header').getByText(p1!.name, { exact: true }).first().boundingBox();
  const row = await page.locator('.ec-sidebar').getByText('16:00', { exact: true }).boundingBox();
  await page.mouse.click(col!.x + col!.width / 2, row!.y + row!.height / 2 + 5);
  const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
  await dialog.getByRole('combobox', { name: 'Patient' }).fill('Ha');
  await expect(dialog.getByRole('listbox').getByRole('option').first()).toBeVisible();
  await page.screenshot({ path: out('calendar-booking') });
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Find a free slot' }).click();
  // One seeded practitioner's slots: "Anyone" would also list the practitioners other
  // screenshot specs add, some working all night.
  const finder = page.getByRole('dialog', { name: 'Find a free slot' });
  await finder.getByRole('combobox', { name: 'Practitioner', exact: true }).selectOption({ label: p1!.name });
  await finder.getByRole('button', { name: 'Find free slots' }).click();
  await expect(page.getByRole('dialog').getByRole('listitem').first()).toBeVisible();
  await page.screenshot({ path: out('calendar-slot-finder') });
});

test('calendar on a 1024×768 tablet', async ({ page, context }) => {
  const s = seed();
  await page.setViewportSize({ width: 1024, height: 768 });
  await signInByApi(context, s.frontDesk.email);
  await page.goto('/calendar');
  await onlySeedPractitioners(page);
  await page.getByRole('button', { name: 'Next day' }).click();
  await expect(page.locator('.ec-event.appt').first()).toBeVisible();
  await page.screenshot({ path: out('calendar-tablet-1024') });
});
