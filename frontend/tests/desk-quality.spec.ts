// Quality of the front desk's and the clinic manager's screens: a 1024×768 tablet, the
// keyboard alone, dates in the browser's locale, errors in words (never raw JSON), the
// emailed set-password link, and the front-desk chart's appointments.
import type { Locator, Page } from '@playwright/test';
import { test, expect, seed, signInByApi, expectAccessible, watch } from './fixtures';
import { at, clinicDay, StaffApi } from './clinic';
import { STAFF_PASSWORD } from './seed';
import { lastEmailTo, linkIn } from './outbox';

/** A patient of this run with a booked consultation and a requested consent. */
async function patientWithAppointment(given: string, day: string, hhmm: string) {
  const s = seed();
  const desk = await StaffApi.as(s.frontDesk.email);
  const admin = await StaffApi.as(s.admin.email);
  const family = `Quality${Date.now().toString(36)}`;
  const made = await desk.call('POST', '/patients', { given_name: given, family_name: family, date_of_birth: '1987-02-23' });
  expect(made.status).toBe(201);
  const appt = await desk.book(made.body.id, s.practitioners[1]!.id, s.services.consult, at(day, hhmm));
  const template = await admin.call('POST', '/consent-templates', {
    title: `Marketing consent ${family}`,
    scope: 'marketing',
    body_markdown: 'I agree that my photographs may be shown.',
    risks: [],
  });
  expect(template.status).toBe(201);
  const consent = await desk.call('POST', `/patients/${made.body.id}/consents`, { template_id: template.body.family_id });
  expect(consent.status).toBe(201);
  return { id: made.body.id as string, name: `${given} ${family}`, family, appt, consentTitle: template.body.title as string };
}

/** Nothing scrolls sideways, and each main action lies within the screen's width. */
async function expectFitsWidth(page: Page, what: string, actions: Locator[]) {
  for (const action of actions) await expect(action, `${what}: ${action}`).toBeVisible();
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(widths.scroll, `${what} scrolls sideways (${widths.scroll} > ${widths.inner})`).toBeLessThanOrEqual(widths.inner);
  for (const action of actions) {
    const box = await action.boundingBox();
    expect(box, `${what}: ${action} has a box`).not.toBeNull();
    expect(box!.x, `${what}: ${action} starts on screen`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${what}: ${action} ends on screen`).toBeLessThanOrEqual(widths.inner);
  }
}

test.describe('on a 1024×768 tablet', () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test('the front desk screens fit the width and show their main actions', async ({ page, context }) => {
    const s = seed();
    const day = clinicDay(31);
    const p = await patientWithAppointment('Tabitha', day, '11:00');
    await signInByApi(context, s.frontDesk.email);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const signOut = page.getByRole('button', { name: 'Sign out' });

    await page.goto('/calendar');
    await page.getByLabel('Go to date').fill(day);
    await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();
    await expect(page.locator('.ec-event.appt', { hasText: p.family })).toBeVisible();
    // The run's many practitioners' columns are wider than the tablet: the calendar
    // scrolls sideways inside itself to a practitioner, and the page does not.
    await page.locator('.ec-header').getByText(s.practitioners[1]!.name, { exact: true }).scrollIntoViewIfNeeded();
    await expectFitsWidth(page, 'calendar day', [
      signOut,
      page.getByRole('button', { name: 'Find a free slot' }),
      page.getByRole('button', { name: 'Week', exact: true }),
      page.getByRole('button', { name: 'Privacy', exact: true }),
      page.getByLabel('Go to date'),
      page.locator('.ec-header').getByText(s.practitioners[1]!.name, { exact: true }),
    ]);
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Week', exact: true })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();
    await expect(page.locator('.ec-event.appt', { hasText: p.family })).toBeVisible();
    // The run's many practitioners' weeks are wider than the tablet: the calendar scrolls
    // sideways inside itself to the appointment, and the page does not.
    await page.locator('.ec-event.appt', { hasText: p.family }).scrollIntoViewIfNeeded();
    await expectFitsWidth(page, 'calendar week', [
      signOut,
      page.getByRole('button', { name: 'Find a free slot' }),
      page.getByRole('button', { name: 'Next week' }),
      page.locator('.ec-event.appt', { hasText: p.family }),
    ]);
    await page.getByRole('button', { name: 'Find a free slot' }).click();
    await expectFitsWidth(page, 'slot finder', [page.getByRole('button', { name: 'Find free slots' })]);
    await page.keyboard.press('Escape');

    await nav.getByRole('link', { name: 'Patients' }).click();
    await expect(page.getByRole('heading', { name: 'Patients' })).toBeVisible();
    await page.getByRole('combobox', { name: /Search patients/ }).fill(p.family);
    await expect(page.getByRole('option', { name: new RegExp(p.family) })).toBeVisible();
    await expectFitsWidth(page, 'patients', [
      signOut,
      page.getByRole('combobox', { name: /Search patients/ }),
      page.getByRole('link', { name: 'Register a patient' }),
    ]);

    await page.goto(`/patients/${p.id}`);
    await expect(page.getByRole('heading', { name: p.name })).toBeVisible();
    await expectFitsWidth(page, 'front-desk chart', [
      signOut,
      page.getByRole('link', { name: 'Edit details' }),
      page.getByRole('button', { name: 'Archive…' }),
      page.getByRole('button', { name: 'Send portal invitation' }),
      page.getByRole('button', { name: 'Request', exact: true }),
      page.getByRole('row', { name: new RegExp(p.consentTitle) }),
      page.getByRole('heading', { name: 'Appointments' }),
    ]);
    await expectAccessible(page, 'front-desk chart on a tablet');
  });

  test('the clinic manager set-up screens fit the width and show their main actions', async ({ page, context }) => {
    const s = seed();
    await signInByApi(context, s.admin.email, s.admin.password);
    const signOut = page.getByRole('button', { name: 'Sign out' });
    const tabs = (name: string) => page.getByRole('link', { name, exact: true });

    await page.goto('/admin/users');
    await expect(page.getByRole('cell', { name: 'Robin Desk', exact: true })).toBeVisible();
    await expectFitsWidth(page, 'admin users', [
      signOut,
      tabs('Audit log'),
      page.getByRole('button', { name: 'Manage Robin Desk' }),
      page.getByRole('button', { name: 'Create user' }),
    ]);
    await page.getByRole('button', { name: 'Manage Robin Desk' }).click();
    await expectFitsWidth(page, 'admin users, managing one', [page.getByRole('button', { name: 'Deactivate…' })]);

    await tabs('Locations & rooms').click();
    await expect(page.getByRole('heading', { name: 'Locations and rooms' })).toBeVisible();
    await expect(page.getByText(s.location.name).first()).toBeVisible();
    await expectFitsWidth(page, 'admin places', [
      signOut,
      page.getByRole('button', { name: 'Add location' }),
      page.getByRole('button', { name: 'Add room' }),
    ]);

    await tabs('Practitioners').click();
    await expect(page.getByRole('heading', { name: 'Practitioners', exact: true })).toBeVisible();
    await expectFitsWidth(page, 'admin practitioners', [signOut, page.getByRole('button', { name: 'Add practitioner' })]);
    await page.getByRole('row', { name: new RegExp(s.practitioners[0]!.name) }).getByRole('button', { name: /Hours and time off/ }).click();
    await expect(page.getByRole('heading', { name: `Working hours of ${s.practitioners[0]!.name}` })).toBeVisible();
    await expectFitsWidth(page, 'admin working hours', [
      signOut,
      page.getByRole('button', { name: 'Save working hours' }),
      page.getByRole('button', { name: 'Add a period' }),
      page.getByRole('button', { name: 'Remove' }).first(),
      page.getByRole('button', { name: 'Add time off' }),
    ]);

    await tabs('Services').click();
    await expect(page.getByRole('heading', { name: 'Services', exact: true })).toBeVisible();
    await expect(page.getByRole('cell', { name: 'Stem cell facial', exact: true })).toBeVisible();
    await expectFitsWidth(page, 'admin services', [
      signOut,
      page.getByRole('button', { name: 'Edit Stem cell facial' }),
      page.getByRole('button', { name: 'Add service' }),
    ]);

    await tabs('Consent forms').click();
    await expect(page.getByRole('heading', { name: 'Consent forms', exact: true })).toBeVisible();
    await expectFitsWidth(page, 'admin consent forms', [
      signOut,
      page.getByRole('button', { name: /Publish|Add|Create/ }).first(),
    ]);

    await tabs('Audit log').click();
    await expect(page.getByRole('heading', { name: 'Audit log', exact: true })).toBeVisible();
    await expectFitsWidth(page, 'admin audit', [
      signOut,
      page.getByRole('button', { name: 'Check the chain' }),
      page.getByRole('button', { name: 'Show entries' }),
      page.getByLabel('Patient MRN'),
    ]);
    await page.getByRole('button', { name: 'Show entries' }).click();
    await expect(page.getByRole('table').first()).toBeVisible();
    await expectFitsWidth(page, 'admin audit entries', [page.getByRole('button', { name: 'Show entries' })]);
  });
});

/** Presses Tab (or Shift+Tab) until `target` has the focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, { back = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
      await expectFocusRing(target);
      return;
    }
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

/** The focused control shows a visible focus indicator (an outline at least 2 px wide). */
async function expectFocusRing(target: Locator) {
  await expect(target).toBeFocused();
  const ring = await target.evaluate((el) => {
    const css = getComputedStyle(el);
    return { style: css.outlineStyle, width: parseFloat(css.outlineWidth), visible: el.matches(':focus-visible') };
  });
  expect(ring.visible, `${target} matches :focus-visible`).toBe(true);
  expect(ring.style, `${target} has an outline`).not.toBe('none');
  expect(ring.width, `${target} outline width`).toBeGreaterThanOrEqual(2);
}

/**
 * Types a date into a focused date input. Chromium orders the field's parts by its own UI
 * language, not the page's locale, so the tests type only dates whose day and month are
 * the same number (see `sameDayAndMonth`): right in either order.
 */
async function typeDate(page: Page, ymd: string) {
  const [y, m, d] = ymd.split('-');
  if (m !== d) throw new Error(`typeDate needs a day and month alike, not ${ymd}`);
  await page.keyboard.type(`${d}${m}${y}`);
}

/** The first clinic day at least `ahead` days from today whose day and month are alike (e.g. 03-03). */
function sameDayAndMonth(ahead: number): string {
  for (let i = ahead; ; i++) {
    const day = clinicDay(i);
    if (day.slice(5, 7) === day.slice(8, 10)) return day;
  }
}

test('the keyboard alone: sign in, find the patient, open them, book from the free-slot finder, cancel with a reason', async ({ page }) => {
  const s = seed();
  const desk = await StaffApi.as(s.frontDesk.email);
  const family = `Keys${Date.now().toString(36)}`;
  const made = await desk.call('POST', '/patients', { given_name: 'Kit', family_name: family, date_of_birth: '1990-10-10' });
  expect(made.status).toBe(201);
  const day = sameDayAndMonth(60);
  const lena = s.practitioners[1]!;

  await page.goto('/sign-in');
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.type(s.frontDesk.email);
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type(STAFF_PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/calendar$/);

  // Patients: the main menu, type in the search, Enter on the match.
  await tabTo(page, page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Patients' })).toBeVisible();
  // The search has the focus on arrival (and `/` brings it back from elsewhere).
  const search = page.getByRole('combobox', { name: /Search patients/ });
  await expectFocusRing(search);
  await page.keyboard.type(family);
  await expect(page.getByRole('option', { name: new RegExp(family) })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: `Kit ${family}` })).toBeVisible();
  await expect(page.getByText('No appointments yet.')).toBeVisible();

  // Book: the calendar's free-slot finder, all by keys.
  await tabTo(page, page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }), { back: true });
  await page.keyboard.press('Enter');
  await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();
  await tabTo(page, page.getByRole('button', { name: 'Find a free slot' }));
  await page.keyboard.press('Enter');
  const finder = page.getByRole('dialog', { name: 'Find a free slot' });
  await expectFocusRing(finder.getByLabel('Service'));
  await tabTo(page, finder.getByLabel('Practitioner'));
  await page.keyboard.type(lena.name);
  await expect(finder.getByLabel('Practitioner')).toHaveValue(lena.id);
  await tabTo(page, finder.getByLabel('From'));
  await typeDate(page, day);
  await expect(finder.getByLabel('From')).toHaveValue(day);
  await tabTo(page, finder.getByLabel('To'));
  await typeDate(page, day);
  await expect(finder.getByLabel('To')).toHaveValue(day);
  await tabTo(page, finder.getByRole('button', { name: 'Find free slots' }));
  await page.keyboard.press('Enter');
  const slot = finder.getByRole('button', { name: `10:00 · ${lena.name}` });
  await expect(slot).toBeVisible();
  await tabTo(page, slot);
  await page.keyboard.press('Enter');
  const booking = page.getByRole('dialog', { name: 'Book an appointment' });
  // The booking panel takes the focus from the finder it replaces.
  await expectFocusRing(booking.getByLabel('Date'));
  await expect(booking.getByLabel('Time')).toHaveValue('10:00');
  await tabTo(page, booking.getByRole('combobox', { name: 'Patient' }));
  await page.keyboard.type(family);
  await expect(booking.getByRole('option', { name: new RegExp(family) })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(booking.getByText(`Kit ${family}`)).toBeVisible();
  await tabTo(page, booking.getByRole('button', { name: 'Book', exact: true }));
  await page.keyboard.press('Enter');
  await expect(booking).toBeHidden();
  // The calendar shows the day booked.
  const event = page.locator('.ec-event.appt', { hasText: `Kit ${family}` });
  await expect(event).toBeVisible();
  await expect(event).toContainText('10:00');
  const booked = (await desk.appointments(day)).filter((a) => a.patient_id === made.body.id);
  expect(booked.map((a) => [a.starts_at, a.practitioner_id, a.status])).toEqual([[at(day, '10:00').replace('.000Z', 'Z'), lena.id, 'booked']]);

  // Cancel it with a reason: Tab to the appointment, Enter opens it.
  await tabTo(page, event);
  await page.keyboard.press('Enter');
  const panel = page.getByRole('dialog', { name: `Kit ${family}` });
  await expect(panel).toBeVisible();
  await tabTo(page, panel.getByRole('button', { name: 'Cancel…' }));
  await page.keyboard.press('Enter');
  await tabTo(page, panel.getByLabel('Reason for cancelling'));
  await page.keyboard.type('Rang to say she is ill');
  await tabTo(page, panel.getByRole('button', { name: 'Cancel appointment' }));
  await page.keyboard.press('Enter');
  await expect(panel.getByText('Cancelled.', { exact: true })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(page.locator('.ec-event.appt.status-cancelled', { hasText: `Kit ${family}` })).toBeVisible();
  const after = (await desk.appointments(day)).filter((a) => a.patient_id === made.body.id);
  expect(after.map((a) => [a.status, a.cancel_reason])).toEqual([['cancelled', 'Rang to say she is ill']]);
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

test("dates follow the browser's locale (en-US: month first, en-GB: day first), times stay the clinic's", async ({ page, context, browser }) => {
  const s = seed();
  // A clinic day in winter or summer alike: London and New York are 4 or 5 hours apart.
  const day = clinicDay(41);
  const p = await patientWithAppointment('Ursula', day, '10:00');
  const month = MONTHS[Number(day.slice(5, 7)) - 1]!;
  const date = String(Number(day.slice(8, 10)));
  const when = (pg: Page) => pg.getByRole('row').filter({ hasText: 'Consultation' }).getByRole('cell').first();

  // This suite's own context: en-GB, the browser in New York.
  await signInByApi(context, s.frontDesk.email);
  await page.goto(`/patients/${p.id}`);
  await expect(page.getByRole('heading', { name: p.name })).toBeVisible();
  await expect(page.getByText(/born 23 Feb 1987/)).toBeVisible();
  await expect(when(page)).toHaveText(new RegExp(`^\\w{3},? ${date} ${month},? 10:00$`));

  // A browser in the United States (also in New York): month before day, a 12-hour clock,
  // and still the clinic's 10:00 (not New York's 05:00 or 06:00).
  const us = await browser.newContext({
    baseURL: `http://127.0.0.1:${process.env.DERMACHART_UI_PORT}`,
    viewport: { width: 1280, height: 800 },
    timezoneId: 'America/New_York',
    locale: 'en-US',
  });
  try {
    const usPage = await us.newPage();
    const problems = watch(usPage);
    await signInByApi(us, s.frontDesk.email);
    await usPage.goto(`/patients/${p.id}`);
    await expect(usPage.getByRole('heading', { name: p.name })).toBeVisible();
    await expect(usPage.getByText(/born Feb 23, 1987/)).toBeVisible();
    await expect(when(usPage)).toHaveText(new RegExp(`^\\w{3}, ${month} ${date}, 10:00\\sAM$`));
    // The calendar's heading and the event on it, the same way.
    await usPage.goto('/calendar');
    await usPage.getByLabel('Go to date').fill(day);
    await expect(usPage.locator('.grid[aria-busy="false"]')).toBeVisible();
    await expect(usPage.getByRole('heading', { level: 1 })).toHaveText(new RegExp(`^\\w{3}, ${month} ${date}, ${day.slice(0, 4)}$`));
    // (The grid's own times are a 24-hour clock in every locale, as its hour rows are.)
    await expect(usPage.locator('.ec-event.appt', { hasText: p.family }).locator('.when')).toHaveText(/^10:00\s?–\s?10:30$/);
    expect(problems, 'CSP violations and console errors (en-US browser)').toEqual([]);
  } finally {
    await us.close();
  }
  await page.goto('/calendar');
  await page.getByLabel('Go to date').fill(day);
  await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(new RegExp(`^\\w{3},? ${date} ${month} ${day.slice(0, 4)}$`));
  await expect(page.locator('.ec-event.appt', { hasText: p.family }).locator('.when')).toHaveText(/^10:00\s?–\s?10:30$/);
});

test("the front desk's chart lists the patient's appointments (clinic time, service, status) and consents, and no clinical section", async ({ page, context }) => {
  const s = seed();
  const day = clinicDay(43);
  const p = await patientWithAppointment('Carys', day, '14:30');
  const desk = await StaffApi.as(s.frontDesk.email);
  // A second one, confirmed, the day after.
  const next = await desk.book(p.id, s.practitioners[0]!.id, s.services.review, at(clinicDay(44), '09:15'));
  expect((await desk.call('POST', `/appointments/${next.id}/confirm`, {})).status).toBe(200);
  await signInByApi(context, s.frontDesk.email);
  const record = page.waitForResponse((r) => r.url().endsWith(`/api/v1/patients/${p.id}/record`));
  await page.goto(`/patients/${p.id}`);
  await expect(page.getByRole('heading', { name: p.name })).toBeVisible();
  // The server gave the desk exactly these keys; the page adds no empty clinical sections.
  expect(Object.keys(await (await record).json()).sort()).toEqual(['appointments', 'consents', 'patient']);

  const appointments = page.locator('.card', { has: page.getByRole('heading', { name: 'Appointments' }) });
  const rows = appointments.getByRole('row');
  await expect(rows).toHaveCount(3);
  const month = (d: string) => MONTHS[Number(d.slice(5, 7)) - 1]!;
  const dayNum = (d: string) => String(Number(d.slice(8, 10)));
  // Newest first; the clinic's wall time (the browser is in New York, five hours behind).
  const [later, first] = [rows.nth(1), rows.nth(2)];
  await expect(later.getByRole('cell').nth(0)).toHaveText(new RegExp(`^\\w{3},? ${dayNum(clinicDay(44))} ${month(clinicDay(44))},? 09:15$`));
  await expect(later.getByRole('cell').nth(1)).toHaveText('Follow-up review');
  await expect(later.getByRole('cell').nth(2)).toHaveText(s.practitioners[0]!.name);
  await expect(later.getByRole('cell').nth(3)).toHaveText('Confirmed');
  await expect(first.getByRole('cell').nth(0)).toHaveText(new RegExp(`^\\w{3},? ${dayNum(day)} ${month(day)},? 14:30$`));
  await expect(first.getByRole('cell').nth(1)).toHaveText('Consultation');
  await expect(first.getByRole('cell').nth(2)).toHaveText(s.practitioners[1]!.name);
  await expect(first.getByRole('cell').nth(3)).toHaveText('Booked');

  // Consent status in words.
  await expect(page.getByRole('row', { name: new RegExp(p.consentTitle) })).toContainText('Waiting for signature');

  // No clinical section, not even an empty one.
  const headings = await page.getByRole('heading').allTextContents();
  expect(headings.map((h) => h.trim())).toEqual([p.name, 'Details', 'Patient portal', 'Consents', 'Appointments']);
  for (const word of ['Allergies', 'Medications', 'Medical history', 'Fitzpatrick', 'Consultation notes', 'Procedures', 'Photos', 'Samples', 'Measurements', 'Adverse', 'Eligib', 'Contraindication']) {
    await expect(page.getByText(word)).toHaveCount(0);
  }
  await expectAccessible(page, 'front-desk chart with appointments');
});

/** The page says what happened in words, and shows no raw JSON or problem document. */
async function expectWordsNotJson(page: Page, what: string, words: string | RegExp) {
  await expect(page.getByText(words).first(), `${what}: the words`).toBeVisible();
  const text = await page.locator('body').innerText();
  for (const raw of ['{"', '"type":', 'problem+json', '"status":', 'urn:dermachart']) {
    expect(text, `${what}: no raw ${raw}`).not.toContain(raw);
  }
}

test('error answers are said in words, never as raw JSON: 422, 409, an unknown id (404) and a 503 that retries', async ({ page, context, allowConsole }) => {
  allowConsole.push(/status of 503/);
  const s = seed();
  await signInByApi(context, s.frontDesk.email);

  // 422 with field errors: beside the fields, and a sentence on top.
  await page.goto('/patients/new');
  await page.getByLabel('Given name').fill('Jason');
  await page.getByLabel('Family name').fill('Raw');
  await page.getByLabel('Date of birth').fill('1980-01-01');
  await page.getByLabel('Email').fill('not-an-email');
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/patients') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Register patient' }).click();
  expect((await refused).status()).toBe(422);
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expectWordsNotJson(page, '422', 'Some fields need attention');

  // 409: a portal invitation for a patient who already has a login.
  const admin = await StaffApi.as(s.admin.email);
  const made = await admin.call('POST', '/patients', { given_name: 'Jasper', family_name: `Twice${Date.now().toString(36)}`, date_of_birth: '1981-01-01', email: 'jasper@example.test' });
  expect(made.status).toBe(201);
  await page.goto(`/patients/${made.body.id}`);
  await page.getByRole('button', { name: 'Send portal invitation' }).click();
  await expect(page.getByText(/Invitation sent to jasper@example.test/)).toBeVisible();
  const conflict = page.waitForResponse((r) => r.url().endsWith('/portal-account'));
  await page.getByRole('button', { name: 'Send portal invitation' }).click();
  expect((await conflict).status()).toBe(409);
  await expectWordsNotJson(page, '409', /No invitation was sent\. \w+/);

  // 404: an id that does not exist.
  const unknown = '00000000-0000-4000-8000-000000000000';
  const missing = page.waitForResponse((r) => r.url().endsWith(`/api/v1/patients/${unknown}/record`));
  await page.goto(`/patients/${unknown}`);
  expect((await missing).status()).toBe(404);
  await expectWordsNotJson(page, '404', 'This no longer exists, or you may not see it.');
  await expectAccessible(page, 'unknown patient');

  // 503 (problem+json): the clinic's server is unreachable; the page retries by itself and
  // shows the patient once the server answers again.
  let down = true;
  let asked = 0;
  const record = `**/api/v1/patients/${made.body.id}/record`;
  await page.route(record, async (route) => {
    asked++;
    if (down) {
      await route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'urn:dermachart:problem:unavailable', title: 'Service unavailable', status: 503, detail: 'database down' }),
      });
    } else await route.continue();
  });
  await page.goto(`/patients/${made.body.id}`);
  await expectWordsNotJson(page, '503', "The clinic's server is unreachable, retrying…");
  await expect.poll(() => asked, { message: 'the page asks again by itself' }).toBeGreaterThanOrEqual(2);
  await expectWordsNotJson(page, '503 after a retry', "The clinic's server is unreachable, retrying…");
  down = false;
  await expect(page.getByRole('heading', { name: made.body.given_name + ' ' + made.body.family_name })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText("The clinic's server is unreachable, retrying…")).toHaveCount(0);
  await page.unroute(record);
});

test('the emailed set-password link works: forgot password, open the link, set a password, sign in with it', async ({ page }) => {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  const email = `reset-${Date.now().toString(36)}@clinic.test`;
  const made = await admin.call('POST', '/users', { email, password: STAFF_PASSWORD, display_name: 'Riley Reset', role: 'front_desk' });
  expect(made.status).toBe(201);
  expect(lastEmailTo(email)).toBeNull();

  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByRole('status')).toHaveText(/a link to set a new password is on its way/);
  // The server queued the email (with the link) in the same transaction as the token.
  await expect.poll(() => lastEmailTo(email) !== null, { message: 'a reset email is queued' }).toBe(true);
  const link = linkIn(lastEmailTo(email)!);
  expect(new URL(link).origin).toBe(new URL(page.url()).origin);
  expect(new URL(link).pathname).toBe('/set-password');

  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Set your password' })).toBeVisible();
  const chosen = 'a fresh passphrase from the link';
  await page.getByLabel('New password').fill(chosen);
  await page.getByLabel('Repeat it').fill(chosen);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('status')).toHaveText('Your password is set.');
  // The token leaves the address bar once used.
  expect(page.url()).not.toContain('token=');
  await expectAccessible(page, 'password set');

  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(chosen);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/calendar$/);
  await expect(page.getByText('Riley Reset · Front desk')).toBeVisible();
  // The old password is gone, and the link is single use.
  const old = await page.request.post('/api/v1/auth/login', { data: { email, password: STAFF_PASSWORD } });
  expect(old.status()).toBe(401);
  await page.goto(link);
  await page.getByLabel('New password').fill('yet another passphrase here');
  await page.getByLabel('Repeat it').fill('yet another passphrase here');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('alert')).toHaveText('This link has expired or was already used. Ask the clinic for a new one.');
});

test("the week view's bookings are one compact line (status sign, family name, start), with the whole in the accessible name and tooltip", async ({ page, context }, testInfo) => {
  const s = seed();
  const [ada, lena] = s.practitioners;
  const desk = await StaffApi.as(s.frontDesk.email);
  // A week ten weeks ahead: its Tuesday.
  const some = clinicDay(70);
  const weekday = new Date(`${some}T00:00:00Z`).getUTCDay();
  const tuesday = clinicDay(70 - ((weekday + 6) % 7) + 1);
  const long = await desk.call('POST', '/patients', { given_name: 'Maximiliana', family_name: `Featherstonehaugh-Cholmondeley ${Date.now().toString(36)}`, date_of_birth: '1970-07-07' });
  expect(long.status).toBe(201);
  const amelia = s.patients.find((p) => p.name === 'Amelia Hart')!;
  await desk.book(amelia.id, ada!.id, s.services.consult, at(tuesday, '16:00'));
  await desk.book(long.body.id, lena!.id, s.services.consult, at(tuesday, '16:00'));
  // A third practitioner, so that the week is wider than the screen whichever tests ran before.
  const admin = await StaffApi.as(s.admin.email);
  const tag = Date.now().toString(36);
  const third = await admin.call('POST', '/users', { email: `wide-${tag}@clinic.test`, password: STAFF_PASSWORD, display_name: `Dr Wide ${tag}`, role: 'practitioner' });
  expect(third.status).toBe(201);
  expect((await admin.call('POST', '/practitioners', { user_id: third.body.id, display_name: `Dr Wide ${tag}`, title: 'Aesthetic physician' })).status).toBe(201);

  await signInByApi(context, s.frontDesk.email);
  await page.goto('/calendar');
  await page.getByLabel('Go to date').fill(tuesday);
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Week', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();

  const hart = page.locator('.ec-event.appt', { hasText: 'Amelia Hart' });
  await expect(hart).toBeVisible();
  // Readable however many practitioners this run has made (the suite makes many): each
  // practitioner's name over their own seven days, in full; every day's column at least
  // 5.5rem wide; past the screen's width the calendar scrolls sideways inside itself
  // (and says so), never the page.
  const practitioners = await page.locator('.filters fieldset input[type="checkbox"]').count();
  expect(practitioners, 'more practitioners than a week fits on the screen').toBeGreaterThanOrEqual(3);
  const adaHead = page.locator('.ec-header .ec-col-group', { hasText: ada!.name });
  await expect(adaHead).toHaveCount(1);
  await adaHead.scrollIntoViewIfNeeded();
  // (The title's box clips what does not fit: its content is then wider than it.)
  const head = await adaHead.evaluate((el) => ({ cut: el.scrollWidth > el.clientWidth + 1, width: el.getBoundingClientRect().width }));
  expect(head.cut, "the practitioner's name is not cut").toBe(false);
  const remPx = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  expect(head.width, "the name spans the practitioner's seven days").toBeGreaterThanOrEqual(7 * 5.5 * remPx - 2);
  const days = await page.locator('.ec-header .ec-col-head').evaluateAll((els) =>
    els.map((el) => ({ width: el.getBoundingClientRect().width, cut: el.scrollWidth > el.clientWidth + 1 })),
  );
  expect(days.length, 'seven days for each practitioner').toBe(7 * practitioners);
  expect(Math.min(...days.map((d) => d.width)), 'the narrowest day column').toBeGreaterThanOrEqual(5.5 * remPx - 1);
  expect(days.filter((d) => d.cut), 'no day title is cut').toEqual([]);
  expect((await hart.boundingBox())!.width, 'the appointment is as wide as a readable column').toBeGreaterThan(4.5 * remPx);
  const pageShot = testInfo.outputPath('week-view-page.png');
  await page.screenshot({ path: pageShot });
  await testInfo.attach('week view, the whole screen', { path: pageShot, contentType: 'image/png' });
  await expect(page.getByText('The calendar is wider than the screen: scroll it sideways to see the rest, or untick practitioners above.')).toBeVisible();
  // The keyboard scrolls it too: the grid is a labelled region that takes focus.
  const region = page.getByRole('region', { name: 'Calendar grid' });
  await region.focus();
  const before = await region.evaluate((el) => el.scrollLeft);
  await page.keyboard.press(before > 0 ? 'ArrowLeft' : 'ArrowRight');
  await expect.poll(() => region.evaluate((el) => el.scrollLeft)).not.toBe(before);
  const scroll = await page.evaluate(() => {
    const main = document.querySelector('.grid .ec-main') as HTMLElement;
    return { page: document.documentElement.scrollWidth - window.innerWidth, grid: main.scrollWidth - main.clientWidth };
  });
  expect(scroll.page, 'the page does not scroll sideways').toBeLessThanOrEqual(0);
  expect(scroll.grid, 'the calendar scrolls sideways inside itself').toBeGreaterThan(0);
  // One line: the status's sign (a shape, not only a colour), the family name and then
  // the start (the event's place shows it too, so an ellipsis spares the name).
  const line = hart.locator('.line');
  await expect(line).toHaveText(/^○\s*Hart\s+16:00$/);
  const lineBox = await line.boundingBox();
  const fontSize = await line.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(lineBox!.height, 'a single line').toBeLessThan(fontSize * 1.8);
  // It fits in the 30-minute box and is not cut mid-word by the box's bottom edge.
  const fits = await hart.evaluate((el) => {
    const body = el.querySelector('.appt-body') as HTMLElement;
    return body.getBoundingClientRect().bottom <= el.getBoundingClientRect().bottom + 0.5;
  });
  expect(fits, 'the line fits in the event').toBe(true);
  // The whole: time range, full name, service and status, for a screen reader and a mouse.
  const full = /^16:00\s?–\s?16:30, Amelia Hart, Consultation, Booked$/;
  await expect(page.getByRole('button', { name: full })).toHaveCount(1);
  await expect(hart.locator('.appt-body')).toHaveAttribute('title', full);
  // A long family name ends in an ellipsis inside its column instead of spilling.
  const max = page.locator('.ec-event.appt', { hasText: 'Maximiliana' });
  const overflow = await max.locator('.line').evaluate((el) => ({ cut: el.scrollWidth > el.clientWidth, ellipsis: getComputedStyle(el).textOverflow }));
  expect(overflow).toEqual({ cut: true, ellipsis: 'ellipsis' });
  await expect(page.getByRole('button', { name: /Maximiliana Featherstonehaugh-Cholmondeley \w+, Consultation, Booked$/ })).toHaveCount(1);
  await expectAccessible(page, 'week view');
  const shot = testInfo.outputPath('week-view.png');
  await page.locator('.grid').screenshot({ path: shot });
  await testInfo.attach('week view', { path: shot, contentType: 'image/png' });

  // With the privacy switch, initials only, also in the accessible name and the tooltip.
  await page.getByRole('button', { name: 'Privacy', exact: true }).click();
  await expect(page.locator('.ec-event.appt', { hasText: 'A. H.' }).locator('.line')).toHaveText(/^○\s*A\. H\.\s+16:00$/);
  await expect(page.getByText(/Hart/)).toHaveCount(0);
  await expect(page.locator('[title*="Hart"]')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^16:00\s?–\s?16:30, A\. H\., Consultation, Booked$/ })).toHaveCount(1);
  const privateShot = testInfo.outputPath('week-view-private.png');
  await page.locator('.grid').screenshot({ path: privateShot });
  await testInfo.attach('week view, privacy on', { path: privateShot, contentType: 'image/png' });
});
