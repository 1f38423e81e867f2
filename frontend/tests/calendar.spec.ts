// Journeys on the front desk's calendar: book from a free slot, a double click, a
// conflicting booking from another desk, a stale reschedule, drag to move, live updates.
import type { Page, Route } from '@playwright/test';
import { test, expect, seed, signInByApi, expectAccessible } from './fixtures';
import { at, clinicDay, StaffApi } from './clinic';
import { STAFF_PASSWORD } from './seed';

/** Opens the calendar on a clinic day. */
async function openDay(page: Page, day: string) {
  await page.goto('/calendar');
  await page.getByLabel('Go to date').fill(day);
  await expect(page.locator('.ec-col-head, .ec-resource').first()).toBeVisible();
  await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();
}

/** Clicks the free cell of a practitioner's column at a clinic time (HH:MM on the hour or quarter). */
async function clickSlot(page: Page, practitioner: string, hhmm: string) {
  const header = page.locator('.ec-header').getByText(practitioner, { exact: true }).first();
  const [h, m] = hhmm.split(':').map(Number);
  const label = page.locator('.ec-sidebar').getByText(`${String(h).padStart(2, '0')}:00`, { exact: true });
  await header.waitFor();
  await label.waitFor();
  // The grid is redrawn when its data or hours arrive: click only once the column and
  // the hour line stay where they are between two looks.
  type Box = { x: number; y: number; width: number; height: number } | null;
  const last: { col: Box; row: Box } = { col: null, row: null };
  await expect
    .poll(async () => {
      const c = await header.boundingBox();
      const r = await label.boundingBox();
      const p = last;
      const settled = !!(c && r && p.col && p.row && c.x === p.col.x && c.width === p.col.width && r.y === p.row.y);
      last.col = c;
      last.row = r;
      return settled;
    }, { message: 'the calendar grid settles' })
    .toBe(true);
  const { col, row } = last;
  if (!col || !row) throw new Error('calendar grid not found');
  // Labels sit on their hour line, except the day's first, just below it; 11 px per 15-minute row.
  const first = await label.evaluate((el) => !el.closest('.ec-slot')?.previousElementSibling);
  const y = (first ? row.y : row.y + row.height / 2) + (m! / 15) * 11 + 5;
  await page.mouse.click(col.x + col.width / 2, y);
}

async function pickPatient(page: Page, query: string, name: string) {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('combobox', { name: 'Patient' }).fill(query);
  await dialog.getByRole('option', { name: new RegExp(name) }).click();
  await expect(dialog.getByText(name)).toBeVisible();
}

test('front desk books from a free slot and sees it on the calendar', async ({ page, context }) => {
  const s = seed();
  const day = clinicDay(2);
  const [ada] = s.practitioners;
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);
  await expectAccessible(page, 'calendar');
  await clickSlot(page, ada!.name, '10:00');
  const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Time')).toHaveValue('10:00');
  await expect(dialog.getByLabel('Practitioner')).toHaveValue(ada!.id);
  await pickPatient(page, 'Hart', 'Amelia Hart');
  await expectAccessible(page, 'booking panel');
  await dialog.getByRole('button', { name: 'Book', exact: true }).click();
  await expect(dialog).toBeHidden();
  const event = page.locator('.ec-event.appt', { hasText: 'Amelia Hart' });
  await expect(event).toBeVisible();
  await expect(event).toContainText('10:00');
  await expect(event).toContainText('Consultation');
  await expect(event).toContainText('Booked');
  const desk = await StaffApi.as(s.frontDesk.email);
  const booked = (await desk.appointments(day)).filter((a) => a.patient_name === 'Amelia Hart');
  expect(booked.map((a) => [a.starts_at, a.practitioner_id])).toEqual([[at(day, '10:00').replace('.000Z', 'Z'), ada!.id]]);
  // The privacy switch leaves initials only, and switching it on does not push the
  // toolbar onto another line.
  const toolbar = page.locator('.toolbar');
  const height = (await toolbar.boundingBox())!.height;
  await page.getByRole('button', { name: 'Privacy', exact: true }).click();
  await expect(page.locator('.ec-event.appt', { hasText: 'A. H.' })).toBeVisible();
  await expect(page.getByText('Amelia Hart')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Privacy: on', exact: true })).toHaveAttribute('aria-pressed', 'true');
  expect((await toolbar.boundingBox())!.height).toBe(height);
  // Nor does the week, titled by its first and last days.
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('–');
  await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();
  expect((await toolbar.boundingBox())!.height).toBe(height);
});

test('a double click on Book books once', async ({ page, context }) => {
  const s = seed();
  const day = clinicDay(3);
  const [, lena] = s.practitioners;
  const keys: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/appointments')) keys.push(r.headers()['idempotency-key'] ?? 'none');
  });
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);
  await clickSlot(page, lena!.name, '11:00');
  const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
  await pickPatient(page, 'Bennett', 'Noah Bennett');
  await dialog.getByRole('button', { name: 'Book', exact: true }).dblclick();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(/^Booked for /)).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  const desk = await StaffApi.as(s.frontDesk.email);
  const booked = (await desk.appointments(day)).filter((a) => a.patient_name === 'Noah Bennett');
  expect(booked).toHaveLength(1);
  // However many requests the clicks made, they were one attempt.
  expect(keys.length).toBeGreaterThanOrEqual(1);
  expect(new Set(keys).size).toBe(1);
  expect(keys[0]).not.toBe('none');
});

test('a slot taken from another desk meanwhile shows the 409 message and refreshes', async ({ page, context, secondPage }) => {
  const s = seed();
  const day = clinicDay(4);
  const [ada] = s.practitioners;
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);
  await clickSlot(page, ada!.name, '13:00');
  const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
  await pickPatient(page, 'Raman', 'Priya Raman');

  // The other desk books the same slot first.
  const other = await secondPage(s.frontDesk2.email);
  await openDay(other, day);
  await clickSlot(other, ada!.name, '13:00');
  await pickPatient(other, 'Whitaker', 'Tom Whitaker');
  await other.getByRole('dialog').getByRole('button', { name: 'Book', exact: true }).click();
  await expect(other.locator('.ec-event.appt', { hasText: 'Tom Whitaker' })).toBeVisible();

  await dialog.getByRole('button', { name: 'Book', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('The calendar has been refreshed: pick another time.');
  await expectAccessible(page, 'booking panel with a conflict');
  // The refresh shows who took it, without reloading the page.
  await expect(page.locator('.ec-event.appt', { hasText: 'Tom Whitaker' })).toBeVisible();
  const desk = await StaffApi.as(s.frontDesk.email);
  expect((await desk.appointments(day)).filter((a) => a.patient_name === 'Priya Raman')).toHaveLength(0);
});

test('rescheduling an appointment someone else changed meanwhile shows the 412 message', async ({ page, context }) => {
  const s = seed();
  const day = clinicDay(5);
  const [ada] = s.practitioners;
  const desk = await StaffApi.as(s.frontDesk.email);
  const appt = await desk.book(s.patients[4]!.id, ada!.id, s.services.consult, at(day, '09:00'));
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);
  await page.locator('.ec-event.appt', { hasText: 'Zoe Lindqvist' }).click();
  const dialog = page.getByRole('dialog', { name: 'Zoe Lindqvist' });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, 'appointment panel');
  // Another desk confirms it while this panel is open.
  expect((await desk.call('POST', `/appointments/${appt.id}/confirm`, {})).status).toBe(200);
  await dialog.getByRole('button', { name: 'Reschedule' }).click();
  await dialog.getByLabel('New time').fill('15:00');
  await dialog.getByRole('button', { name: 'Move appointment' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(/Someone else changed this while you were looking at it/);
  // Nothing moved; the panel now shows the fresh state, keeps what was typed, and
  // applying it again works on the fresh version.
  const [now] = (await desk.appointments(day)).filter((a) => a.id === appt.id);
  expect(now.starts_at).toBe(at(day, '09:00').replace('.000Z', 'Z'));
  await expect(dialog.getByText('Confirmed', { exact: true })).toBeVisible();
  await expect(dialog.getByLabel('New time')).toHaveValue('15:00');
  await dialog.getByRole('button', { name: 'Move appointment' }).click();
  await expect(dialog.getByText('Moved.')).toBeVisible();
  const [moved] = (await desk.appointments(day)).filter((a) => a.id === appt.id);
  expect(moved.starts_at).toBe(at(day, '15:00').replace('.000Z', 'Z'));
});

test('dragging an appointment moves it; cancelling needs a reason', async ({ page, context }) => {
  const s = seed();
  const day = clinicDay(6);
  const [ada] = s.practitioners;
  const desk = await StaffApi.as(s.frontDesk.email);
  const appt = await desk.book(s.patients[0]!.id, ada!.id, s.services.consult, at(day, '09:00'));
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);
  const event = page.locator('.ec-event.appt', { hasText: 'Amelia Hart' });
  const box = await event.boundingBox();
  if (!box) throw new Error('no event');
  // Two hours later: 8 rows of 11 px.
  await page.mouse.move(box.x + box.width / 2, box.y + 5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + 5 + 40, { steps: 5 });
  await page.mouse.move(box.x + box.width / 2, box.y + 5 + 88, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByText(/^Moved Amelia Hart/)).toBeVisible();
  await expect.poll(async () => (await desk.appointments(day)).find((a) => a.id === appt.id)?.starts_at).toBe(
    at(day, '11:00').replace('.000Z', 'Z'),
  );
  await page.locator('.ec-event.appt', { hasText: 'Amelia Hart' }).click();
  const dialog = page.getByRole('dialog', { name: 'Amelia Hart' });
  await dialog.getByRole('button', { name: 'Cancel…' }).click();
  await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Say why it is cancelled');
  await dialog.getByLabel('Reason for cancelling').fill('Patient rang to cancel');
  await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(dialog.getByText('Cancelled.', { exact: true })).toBeVisible();
  await expect(page.locator('.ec-event.appt.status-cancelled', { hasText: 'Amelia Hart' })).toBeVisible();
});

for (const servers of ['one app server', 'two app servers on one PostgreSQL'] as const) {
test(`two desks see each other's bookings, moves and cancellations without reloading (${servers})`, async ({ page, context, secondPage }) => {
  const s = seed();
  const second = process.env.DERMACHART_UI_SECOND_SERVER;
  test.skip(servers !== 'one app server' && !second, 'needs TEST_DATABASE_URL (a second server on one PostgreSQL)');
  const day = clinicDay(servers === 'one app server' ? 7 : 10);
  const [, lena] = s.practitioners;
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);
  const other = await secondPage(s.frontDesk2.email, servers === 'one app server' ? undefined : second);
  await openDay(other, day);
  expect(new URL(other.url()).origin).toBe(servers === 'one app server' ? s.base : second);

  // Desk 2 books in its browser; desk 1 sees it within 5 s.
  await clickSlot(other, lena!.name, '16:00');
  await pickPatient(other, 'Lindqvist', 'Zoe Lindqvist');
  await other.getByRole('dialog').getByRole('button', { name: 'Book', exact: true }).click();
  const seen = page.locator('.ec-event.appt', { hasText: 'Zoe Lindqvist' });
  await expect(seen).toBeVisible({ timeout: 5000 });
  await expect(seen).toContainText('16:00');

  // Desk 2 moves it; desk 1 sees the new time.
  await other.locator('.ec-event.appt', { hasText: 'Zoe Lindqvist' }).click();
  const dialog = other.getByRole('dialog', { name: 'Zoe Lindqvist' });
  await dialog.getByRole('button', { name: 'Reschedule' }).click();
  await dialog.getByLabel('New time').fill('17:30');
  await dialog.getByRole('button', { name: 'Move appointment' }).click();
  await expect(dialog.getByText('Moved.')).toBeVisible();
  await expect(seen).toContainText('17:30', { timeout: 5000 });

  // Desk 2 cancels it; desk 1 sees it cancelled.
  await dialog.getByRole('button', { name: 'Cancel…' }).click();
  await dialog.getByLabel('Reason for cancelling').fill('Clinic closed early');
  await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
  await expect(page.locator('.ec-event.appt.status-cancelled', { hasText: 'Zoe Lindqvist' })).toBeVisible({ timeout: 5000 });
  await expect(page.locator('.ec-event.appt.status-cancelled', { hasText: 'Zoe Lindqvist' })).toContainText('Cancelled');
});
}

test('the free-slot finder books a new patient registered on the spot', async ({ page, context }) => {
  const s = seed();
  await signInByApi(context, s.frontDesk.email);
  await page.goto('/calendar');
  await page.getByRole('button', { name: 'Find a free slot' }).click();
  const finder = page.getByRole('dialog', { name: 'Find a free slot' });
  await finder.getByLabel('Service').selectOption({ label: 'Follow-up review (20 min)' });
  await finder.getByLabel('Practitioner').selectOption({ label: s.practitioners[1]!.name });
  await finder.getByLabel('From').fill(clinicDay(8));
  await finder.getByLabel('To').fill(clinicDay(8));
  await finder.getByRole('button', { name: 'Find free slots' }).click();
  await expectAccessible(page, 'slot finder');
  const first = finder.getByRole('button', { name: new RegExp(`^08:00 · ${s.practitioners[1]!.name}$`) });
  await first.click();
  const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
  await expect(dialog.getByLabel('Time')).toHaveValue('08:00');
  await expect(dialog.getByLabel('Date')).toHaveValue(clinicDay(8));
  await dialog.getByRole('button', { name: '+ New patient' }).click();
  await dialog.getByLabel('Given name').fill('Iris');
  await dialog.getByLabel('Family name').fill('Novak');
  await dialog.getByLabel('Date of birth').fill('2999-01-01');
  await dialog.getByRole('button', { name: 'Register patient' }).click();
  // The server's field error is shown at the field; the typed values stay.
  await expect(dialog.locator('#book-dob-err')).toBeVisible();
  await expect(dialog.getByLabel('Given name')).toHaveValue('Iris');
  await dialog.getByLabel('Date of birth').fill('1990-04-12');
  await dialog.getByRole('button', { name: 'Register patient' }).click();
  await expect(dialog.getByText('Iris Novak')).toBeVisible();
  await dialog.getByRole('button', { name: 'Book', exact: true }).click();
  await expect(dialog).toBeHidden();
  const desk = await StaffApi.as(s.frontDesk.email);
  const booked = (await desk.appointments(clinicDay(8))).filter((a) => a.patient_name === 'Iris Novak');
  expect(booked.map((a) => [a.starts_at, a.service_name])).toEqual([[at(clinicDay(8), '08:00').replace('.000Z', 'Z'), 'Follow-up review']]);
});

test('a completed facial books its follow-up series from the appointment panel', async ({ page, context }) => {
  const s = seed();
  const day = clinicDay(9);
  const [ada] = s.practitioners;
  const desk = await StaffApi.as(s.frontDesk.email);
  const facial = await desk.book(s.patients[2]!.id, ada!.id, s.services.facial, at(day, '12:00'));
  for (const step of ['check-in', 'start', 'complete']) {
    expect((await desk.call('POST', `/appointments/${facial.id}/${step}`, {})).status).toBe(200);
  }
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);
  await page.locator('.ec-event.appt', { hasText: 'Priya Raman' }).click();
  const dialog = page.getByRole('dialog', { name: 'Priya Raman' });
  await expect(dialog.getByText('Completed', { exact: true })).toBeVisible();
  await dialog.getByRole('button', { name: 'Book follow-ups (14 d, 42 d)' }).click();
  await expect(dialog.getByText('Follow-up series booked.')).toBeVisible();
  // The room view puts the facial in the room it holds.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Rooms' }).click();
  await expect(page.locator('.ec-header').getByText('Room 1', { exact: true })).toBeVisible();
  await expect(page.locator('.ec-event.appt', { hasText: 'Priya Raman' })).toBeVisible();
  await expectAccessible(page, 'room view');
  for (const offset of [14, 42]) {
    const later = (await desk.appointments(clinicDay(9 + offset))).filter((a) => a.patient_name === 'Priya Raman');
    expect(later.map((a) => [a.service_name, a.follow_up_offset_days])).toEqual([['Follow-up review', offset]]);
  }
});

// The calendar polls for others' changes; a poll that lands between the other desk's
// change and the drop would hand the drag the fresh version (no 412). So the test holds
// every list request from the moment the event is on screen until after the drop, and
// lets them through only then: the drop is sure to carry the stale version.
test('dragging an appointment someone else changed meanwhile shows the 412 message and keeps their change', async ({ page, context }) => {
  const s = seed();
  // A day no other test books (and another one for each --repeat-each run).
  const day = clinicDay(11 + 100 * test.info().repeatEachIndex);
  const [ada] = s.practitioners;
  const desk = await StaffApi.as(s.frontDesk.email);
  const appt = await desk.book(s.patients[1]!.id, ada!.id, s.services.consult, at(day, '09:00'));
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);
  const event = page.locator('.ec-event.appt', { hasText: s.patients[1]!.name });
  await expect(event).toBeVisible();
  await expect(event.locator('.when')).toContainText('09:00');

  const held: Route[] = [];
  let holding = true;
  // What the page asked, in order: 'PATCH 412', and 'GET' for a full reload of the list
  // (a poll asks with If-None-Match; a reload asks afresh).
  const asked: string[] = [];
  const isList = (url: URL) => url.pathname === '/api/v1/appointments';
  await page.route(isList, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    if (!(await route.request().headerValue('if-none-match'))) asked.push('GET');
    if (holding) held.push(route);
    else await route.continue();
  });
  page.on('response', (r) => {
    if (r.request().method() === 'PATCH' && r.url().includes('/api/v1/appointments/')) asked.push(`PATCH ${r.status()}`);
  });

  // Behind the UI's back: another desk moves it to 10:00 with the current version.
  const changed = await desk.call('PATCH', `/appointments/${appt.id}`, { starts_at: at(day, '10:00') }, { 'If-Match': `"${appt.version}"` });
  expect(changed.status).toBe(200);
  const box = await event.boundingBox();
  if (!box) throw new Error('no event');
  // Three hours later: 12 rows of 11 px.
  await page.mouse.move(box.x + box.width / 2, box.y + 5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + 5 + 40, { steps: 5 });
  await page.mouse.move(box.x + box.width / 2, box.y + 5 + 132, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByRole('alert')).toContainText(/Someone else changed this/);
  expect(asked.filter((a) => a.startsWith('PATCH'))).toEqual(['PATCH 412']);
  // Now let the held refreshes (and every later one) through: the calendar reloads and
  // shows the other desk's time, not the dragged one nor the old one.
  holding = false;
  for (const route of held.splice(0)) await route.continue();
  await expect(event.locator('.when')).toContainText('10:00');
  // The refusal made the calendar reload the whole list.
  expect(asked.slice(asked.indexOf('PATCH 412'))).toContain('GET');
  const [now] = (await desk.appointments(day)).filter((a) => a.id === appt.id);
  expect(now.starts_at).toBe(at(day, '10:00').replace('.000Z', 'Z'));
  await page.unroute(isList);
});

test('the front desk confirms, checks in, starts and completes from the panel; another is a no-show', async ({ page, context }) => {
  const s = seed();
  const day = clinicDay(0);
  const [, lena] = s.practitioners;
  const desk = await StaffApi.as(s.frontDesk.email);
  const first = await desk.book(s.patients[2]!.id, lena!.id, s.services.review, at(day, '08:00'));
  const second = await desk.book(s.patients[3]!.id, lena!.id, s.services.review, at(day, '08:30'));
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);
  const name = s.patients[2]!.name;
  await page.locator('.ec-event.appt', { hasText: name }).click();
  const dialog = page.getByRole('dialog', { name });
  for (const [button, word, cls] of [
    ['Confirm', 'Confirmed', 'confirmed'],
    ['Check in', 'Checked in', 'checked_in'],
    ['Start', 'In progress', 'in_progress'],
    ['Complete', 'Completed', 'completed'],
  ] as const) {
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await expect(dialog.getByText(word, { exact: true })).toBeVisible();
    await expect(page.locator(`.ec-event.appt.status-${cls}`, { hasText: name })).toBeVisible();
  }
  await expect.poll(async () => (await desk.appointments(day)).find((a) => a.id === first.id)?.status).toBe('completed');
  const other = s.patients[3]!.name;
  await page.keyboard.press('Escape');
  await page.locator('.ec-event.appt', { hasText: other }).click();
  const dialog2 = page.getByRole('dialog', { name: other });
  await dialog2.getByRole('button', { name: 'No-show', exact: true }).click();
  const noShow = page.locator('.ec-event.appt.status-no_show', { hasText: other });
  await expect(noShow).toBeVisible();
  await expect.poll(async () => (await desk.appointments(day)).find((a) => a.id === second.id)?.status).toBe('no_show');
  // A 20-minute appointment's one line is whole: the name's line lies inside its box
  // (the box clips what does not).
  const [box, line] = [await noShow.boundingBox(), await noShow.locator('.who').boundingBox()];
  expect(line!.y).toBeGreaterThanOrEqual(box!.y - 0.5);
  expect(line!.y + line!.height).toBeLessThanOrEqual(box!.y + box!.height + 0.5);
});

test("the week view: each practitioner's week under their name, closed hours, time off, buffers, and the filters", async ({ page, context }) => {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  const [ada, lena] = s.practitioners;
  // A second location with a practitioner who works there 09:00–17:00 on weekdays only.
  const tag = Date.now().toString(36);
  const must = async (r: Promise<{ status: number; body: any }>, want: number) => {
    const x = await r;
    if (x.status !== want) throw new Error(`${x.status}: ${JSON.stringify(x.body)}`);
    return x.body;
  };
  const chelsea = await must(admin.call('POST', '/locations', { name: `Chelsea ${tag}`, address: '2 King’s Road, London' }), 201);
  const user = await must(
    admin.call('POST', '/users', { email: `weekview-${tag}@clinic.test`, password: STAFF_PASSWORD, display_name: `Dr Week ${tag}`, role: 'practitioner' }),
    201,
  );
  const name = `Dr Week ${tag}`;
  const doc = await must(admin.call('POST', '/practitioners', { user_id: user.id, display_name: name, title: 'Aesthetic physician' }), 201);
  await must(
    admin.call('PUT', `/practitioners/${doc.id}/working-hours`, [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00', location_id: chelsea.id }))),
    200,
  );
  // The week three weeks from now: its Monday and Tuesday.
  const some = clinicDay(21);
  const weekday = new Date(`${some}T00:00:00Z`).getUTCDay();
  const monday = clinicDay(21 - ((weekday + 6) % 7));
  const tuesday = clinicDay(22 - ((weekday + 6) % 7));
  await must(admin.call('POST', `/practitioners/${doc.id}/time-off`, { starts_at: at(tuesday, '13:00'), ends_at: at(tuesday, '15:00'), reason: 'Training' }), 201);
  const desk = await StaffApi.as(s.frontDesk.email);
  await desk.book(s.patients[0]!.id, doc.id, s.services.consult, at(monday, '10:00'));

  await signInByApi(context, s.frontDesk.email);
  await openDay(page, monday);
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Week', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();
  const header = page.locator('.ec-header');
  // Each practitioner's week: their name once, over their seven days.
  const weekOf = (who: string) => header.locator('.ec-col-group', { hasText: who });
  await expect(header.getByText(name, { exact: true })).toHaveCount(1);
  await expect(header.getByText(ada!.name, { exact: true })).toHaveCount(1);
  await expect(header.getByText(lena!.name, { exact: true })).toHaveCount(1);
  const groups = await header.locator('.ec-col-group').count();
  await expect(header.locator('.ec-col-head')).toHaveCount(7 * groups);
  const span = await weekOf(name).evaluate((el) => el.getBoundingClientRect().width);
  const dayWidth = await header.locator('.ec-col-head').first().evaluate((el) => el.getBoundingClientRect().width);
  expect(Math.round(span / dayWidth), "the name spans the practitioner's seven days").toBe(7);
  // Closed time: the new practitioner's 08:00–09:00 and 17:00–20:00 on weekdays, all day at the weekend.
  // (Ada and Lena work 08:00–20:00 every day, all the hours shown; other tests may add practitioners.)
  await expect(page.locator('.ec-bg-event.off-hours').first()).toBeVisible();
  const closedWithAll = await page.locator('.ec-bg-event.off-hours').count();
  expect(closedWithAll).toBeGreaterThanOrEqual(5 * 2 + 2);
  // Time off on the Tuesday, and the booking's buffer after it.
  await expect(page.locator('.ec-bg-event.time-off')).toHaveCount(1);
  await expect(page.locator('.ec-bg-event.time-off')).toContainText('Time off');
  await expect(page.locator('.ec-event.appt', { hasText: s.patients[0]!.name })).toBeVisible();
  // The consultation's 10-minute buffer sits right after it.
  // (Other journeys book into this week too: the follow-ups of day 9 fall on day 23.
  // So the check is that exactly one buffer sits under this appointment.)
  const apptBox = await page.locator('.ec-event.appt', { hasText: s.patients[0]!.name }).boundingBox();
  await expect(page.locator('.ec-bg-event.buffer').first()).toBeVisible();
  if (!apptBox) throw new Error('no appointment');
  const bufferBoxes = await Promise.all((await page.locator('.ec-bg-event.buffer').all()).map((b) => b.boundingBox()));
  const underIt = bufferBoxes.filter(
    (b) => b !== null && Math.abs(b.y - (apptBox.y + apptBox.height)) < 4 && Math.abs(b.x - apptBox.x) < 8,
  );
  expect(underIt).toHaveLength(1);

  // Unticking a practitioner removes their seven columns (and their closed hours and time off).
  await page.getByRole('checkbox', { name: name }).uncheck();
  await expect(header.getByText(name, { exact: true })).toHaveCount(0);
  await expect(page.locator('.ec-bg-event.time-off')).toHaveCount(0);
  // Their closed hours go with them: two stretches on each weekday, the whole weekend days.
  await expect(page.locator('.ec-bg-event.off-hours')).toHaveCount(closedWithAll - (5 * 2 + 2));
  await expect(header.getByText(ada!.name, { exact: true })).toHaveCount(1);
  await expect(header.locator('.ec-col-head')).toHaveCount(7 * (groups - 1));
  await page.getByRole('checkbox', { name: name }).check();
  await expect(header.getByText(name, { exact: true })).toHaveCount(1);

  // The location filter: Chelsea shows only the practitioner who works there, their name
  // over their week.
  await page.getByLabel('Location').selectOption({ label: `Chelsea ${tag}` });
  const columns = page.getByRole('group', { name: 'Practitioners' }).getByRole('checkbox');
  await expect(columns).toHaveCount(1);
  await expect(columns).toHaveAccessibleName(name);
  await expect(header.getByText(name, { exact: true })).toHaveCount(1);
  await expect(header.locator('.ec-col-head')).toHaveCount(7);
  await expect(header.getByText(ada!.name, { exact: true })).toHaveCount(0);
  await expect(header.getByText(lena!.name, { exact: true })).toHaveCount(0);
  await expect(page.locator('.ec-event.appt', { hasText: s.patients[0]!.name })).toBeVisible();
  await expect(page.locator('.ec-bg-event.time-off')).toHaveCount(1);
  await page.getByLabel('Location').selectOption({ label: 'Harley Street' });
  const list = page.getByRole('group', { name: 'Practitioners' });
  await expect(list.getByRole('checkbox', { name, exact: true })).toHaveCount(0);
  await expect(list.getByRole('checkbox', { name: ada!.name, exact: true })).toHaveCount(1);
  await expect(list.getByRole('checkbox', { name: lena!.name, exact: true })).toHaveCount(1);
  await expect(header.getByText(name, { exact: true })).toHaveCount(0);
  await expect(header.getByText(ada!.name, { exact: true })).toHaveCount(1);
  await expect(header.getByText(lena!.name, { exact: true })).toHaveCount(1);
  await expect(page.locator('.ec-event.appt', { hasText: s.patients[0]!.name })).toHaveCount(0);
  await expect(page.locator('.ec-bg-event.time-off')).toHaveCount(0);
});

test("the now-line is drawn on today's view at the clinic's time", async ({ page, context }) => {
  const s = seed();
  const today = clinicDay(0);
  // Noon in the clinic, whatever the hour the suite runs at (the line is drawn only in the hours shown).
  await page.clock.setFixedTime(new Date(at(today, '12:00')));
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, today);
  const line = page.locator('.ec-now-indicator');
  await expect(line).toHaveCount(1);
  const noon = await page.locator('.ec-sidebar').getByText('12:00', { exact: true }).boundingBox();
  const one = await page.locator('.ec-sidebar').getByText('13:00', { exact: true }).boundingBox();
  const box = await line.boundingBox();
  if (!noon || !one || !box) throw new Error('no hour labels or line');
  // Labels sit on their hour line: the now-line is on 12:00, above 13:00 (44 px lower).
  expect(Math.abs(box.y - (noon.y + noon.height / 2))).toBeLessThan(6);
  expect(box.y).toBeLessThan(one.y);
  // Another day has none.
  await page.getByLabel('Go to date').fill(clinicDay(1));
  await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();
  await expect(line).toHaveCount(0);
});

test("the day's first hour has its label, whole, below the column titles", async ({ page, context }) => {
  const s = seed();
  const [ada] = s.practitioners;
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, clinicDay(1));
  // Only a seeded practitioner (08:00–20:00) on screen: other tests may add one who works longer.
  const columns = page.getByRole('group', { name: 'Practitioners' }).getByRole('checkbox');
  for (const box of await columns.all()) {
    if ((await box.locator('xpath=..').innerText()).trim() !== ada!.name) await box.uncheck();
  }
  await expect(page.getByRole('group', { name: 'Practitioners' }).getByRole('checkbox', { checked: true })).toHaveCount(1);
  const labels = page.locator('.ec-body .ec-sidebar time');
  await expect(labels.first()).toHaveText('08:00');
  await expect(labels.first()).toBeVisible();
  await expect(labels.nth(1)).toHaveText('09:00');
  const eight = await labels.first().boundingBox();
  const nine = await labels.nth(1).boundingBox();
  const titles = await page.locator('.ec-header').boundingBox();
  const sidebar = await page.locator('.ec-body .ec-sidebar').boundingBox();
  if (!eight || !nine || !titles || !sidebar) throw new Error('no hour labels or column titles');
  // Not half under the column titles nor cut by the time column's edge, and clear of 09:00.
  expect(eight.y).toBeGreaterThanOrEqual(titles.y + titles.height - 1);
  expect(eight.y).toBeGreaterThanOrEqual(sidebar.y - 0.5);
  expect(eight.y + eight.height).toBeLessThan(nine.y);
});

test('a busy week (more than one page of 200 appointments) shows every appointment, and a change on its second page appears', async ({ page, context }) => {
  const s = seed();
  const [ada, lena] = s.practitioners;
  const desk = await StaffApi.as(s.frontDesk.email);
  // The week 40 weeks ahead (no other journey books there): its Monday.
  const some = clinicDay(280);
  const weekday = new Date(`${some}T00:00:00Z`).getUTCDay();
  const monday = clinicDay(280 - ((weekday + 6) % 7));
  const tag = Date.now().toString(36);
  const patient = async (given: string) => {
    const r = await desk.call('POST', '/patients', { given_name: given, family_name: `Busy ${tag}`, date_of_birth: '1980-01-01' });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const [first, second] = [await patient('Una'), await patient('Dov')];
  // A consultation every 40 minutes, 08:00–18:40, every day, for both practitioners:
  // 17 × 7 × 2 = 238 appointments.
  const plan: [string, string, string][] = [];
  for (let d = 0; d < 7; d++) {
    for (let k = 0; k < 17; k++) {
      const minutes = 8 * 60 + 40 * k;
      const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
      plan.push([first, ada!.id, at(clinicDay(280 - ((weekday + 6) % 7) + d), hhmm)]);
      plan.push([second, lena!.id, at(clinicDay(280 - ((weekday + 6) % 7) + d), hhmm)]);
    }
  }
  for (let i = 0; i < plan.length; i += 12) {
    await Promise.all(plan.slice(i, i + 12).map(([p, who, when]) => desk.book(p, who, s.services.consult, when)));
  }

  await signInByApi(context, s.frontDesk.email);
  await openDay(page, monday);
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await expect(page.locator('.grid[aria-busy="false"]')).toBeVisible();
  await expect(page.getByText(`${plan.length} appointments`, { exact: true })).toBeVisible();
  await expect(page.getByText(/only the first/)).toHaveCount(0);
  // The week's last appointment (on the second page of the list) is on the grid.
  await expect(page.getByRole('button', { name: /^18:40\s?–\s?19:10, Dov Busy \w+, Consultation, Booked$/ })).toHaveCount(7);

  // Another desk books Sunday evening: the second page changed, the first did not.
  const sunday = clinicDay(280 - ((weekday + 6) % 7) + 6);
  await desk.book(second, ada!.id, s.services.consult, at(sunday, '19:20'));
  await expect(page.getByText(`${plan.length + 1} appointments`, { exact: true })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole('button', { name: /^19:20\s?–\s?19:50, Dov Busy \w+, Consultation, Booked$/ })).toHaveCount(1);
});

test('a poll that answers after this desk booked does not hide the booking', async ({ page, context }) => {
  const s = seed();
  const day = clinicDay(12 + 100 * test.info().repeatEachIndex);
  const [ada, lena] = s.practitioners;
  const [, , priya, tom] = s.patients;
  const desk = await StaffApi.as(s.frontDesk.email);
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);

  // The first poll that reads a changed page (a 200: another desk booked) is read from
  // the server now, before this desk books, and handed to the page only once this
  // desk's booking shows: a late answer from before the booking.
  const polls = (url: URL) => url.pathname === '/api/v1/appointments';
  let release: () => Promise<void> = async () => {};
  let armed = true;
  let heldNow = () => {};
  const held = new Promise<void>((resolve) => (heldNow = resolve));
  await page.route(polls, async (route: Route) => {
    if (!armed || !route.request().headers()['if-none-match']) return route.continue();
    const before = await route.fetch();
    if (before.status() !== 200 || !armed) return route.fulfill({ response: before });
    armed = false;
    release = () => route.fulfill({ response: before });
    heldNow();
  });
  await desk.book(priya!.id, lena!.id, s.services.consult, at(day, '09:00'));
  await held;
  await clickSlot(page, ada!.name, '11:00');
  const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
  await pickPatient(page, 'Whitaker', tom!.name);
  await dialog.getByRole('button', { name: 'Book', exact: true }).click();
  await expect(dialog).toBeHidden();
  const mine = page.locator('.ec-event.appt', { hasText: tom!.name });
  await expect(mine).toBeVisible();

  await release();
  // The late answer, which does not hold this booking, is not shown: the booking stays on
  // the grid at every look for two poll intervals.
  const looks = await page.evaluate(async (name) => {
    const seen: boolean[] = [];
    for (let i = 0; i < 50; i++) {
      seen.push([...document.querySelectorAll('.ec-event.appt')].some((e) => e.textContent?.includes(name)));
      await new Promise((r) => setTimeout(r, 100));
    }
    return seen;
  }, tom!.name);
  expect(looks.filter((v) => !v)).toEqual([]);
  await expect(page.locator('.ec-event.appt', { hasText: priya!.name })).toBeVisible();
  await page.unroute(polls);
});

test('a poll that never answers does not keep the calendar from showing changes', async ({ page, context }) => {
  const s = seed();
  const day = clinicDay(13 + 100 * test.info().repeatEachIndex);
  const [, lena] = s.practitioners;
  const [, , , , zoe] = s.patients;
  const desk = await StaffApi.as(s.frontDesk.email);
  await signInByApi(context, s.frontDesk.email);
  await openDay(page, day);

  // The next poll's request is lost (a dropped connection): it never answers.
  const polls = (url: URL) => url.pathname === '/api/v1/appointments';
  let lost: Route | null = null;
  await page.route(polls, async (route: Route) => {
    if (lost || !route.request().headers()['if-none-match']) return route.continue();
    lost = route;
  });
  await expect.poll(() => lost !== null, { message: 'a poll is held' }).toBe(true);
  await desk.book(zoe!.id, lena!.id, s.services.consult, at(day, '15:00'));
  // The screen gives up on the lost read after 15 s and polls again.
  await expect(page.locator('.ec-event.appt', { hasText: zoe!.name })).toBeVisible({ timeout: 25_000 });
  await expect(page.getByText(/server is unreachable/)).toHaveCount(0, { timeout: 5_000 });
  await page.unroute(polls);
});
