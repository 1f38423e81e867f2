// Journeys on the front desk's patients screens: register with a field error then fix it,
// search by MRN and by date of birth with the keyboard, a stale edit (412), CSV import,
// a consent request, the portal invitation and archiving.
import { test, expect, seed, signInByApi, expectAccessible } from './fixtures';
import { StaffApi } from './clinic';

test('front desk registers a patient: a field error shows beside the field, then the fix registers', async ({ page, context }) => {
  const s = seed();
  await signInByApi(context, s.frontDesk.email);
  await page.goto('/patients');
  await page.getByRole('link', { name: 'Register a patient' }).click();
  await expect(page.getByRole('heading', { name: 'Register a patient' })).toBeVisible();
  await page.getByLabel('Given name').fill('Imogen');
  await page.getByLabel('Family name').fill('Fairweather');
  await page.getByLabel('Email').fill('imogen-at-example');
  await page.getByRole('button', { name: 'Register patient' }).click();
  await expect(page.locator('#pf-dob-err')).toHaveText('is required');
  await expect(page.getByLabel('Date of birth')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Date of birth').fill('1990-04-12');
  await page.getByRole('button', { name: 'Register patient' }).click();
  await expect(page.locator('#pf-dob-err')).toHaveCount(0);
  const email = page.getByLabel('Email');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#pf-email-err')).toContainText('email address');
  await expect(page.getByRole('alert')).toContainText('Some fields need attention');
  // What was typed is kept.
  await expect(page.getByLabel('Given name')).toHaveValue('Imogen');
  await expectAccessible(page, 'register form with a field error');
  await email.fill('imogen@example.test');
  await page.getByRole('button', { name: 'Register patient' }).click();
  await expect(page.getByRole('heading', { name: 'Imogen Fairweather' })).toBeVisible();
  await expect(page.getByText('imogen@example.test')).toBeVisible();
  // The desk's chart has no clinical section, not even an empty one.
  for (const word of ['Allergies', 'Medications', 'Medical history', 'Fitzpatrick', 'Consultations', 'Procedures', 'Photos']) {
    await expect(page.getByText(word)).toHaveCount(0);
  }
  await expectAccessible(page, 'front-desk chart');
  const desk = await StaffApi.as(s.frontDesk.email);
  const found = await desk.call('GET', '/patients?q=Fairweather');
  expect(found.body.items.map((p: any) => [p.given_name, p.email])).toEqual([['Imogen', 'imogen@example.test']]);
});

test('search by MRN and by date of birth with the keyboard alone', async ({ page, context }) => {
  const s = seed();
  const priya = s.patients.find((p) => p.name === 'Priya Raman')!;
  const tom = s.patients.find((p) => p.name === 'Tom Whitaker')!;
  await signInByApi(context, s.frontDesk.email);
  await page.goto('/patients');
  const search = page.getByRole('combobox', { name: /Search patients/ });
  // The box has the focus when the page opens: `/` there is the shortcut too, and types nothing.
  await expect(search).toBeFocused();
  await page.keyboard.press('/');
  await expect(search).toHaveValue('');
  await page.getByRole('heading', { name: 'Patients' }).click();
  await expect(search).not.toBeFocused();
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  // The shortcut only moves the focus: no slash in the box.
  await expect(search).toHaveValue('');
  await page.keyboard.type(tom.mrn);
  const options = page.getByRole('listbox', { name: 'Matching patients' }).getByRole('option');
  await expect(options).toHaveCount(1);
  await expect(options.first()).toContainText('Whitaker, Tom');
  await expectAccessible(page, 'patient search');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Tom Whitaker' })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/patients/${tom.id}$`));

  // Back to the list, and a date of birth written the local way (en-GB: day first).
  await page.goBack();
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(search).toHaveValue('');
  await page.keyboard.type('21/07/1992');
  await expect(options.first()).toContainText('Raman, Priya');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Priya Raman' })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/patients/${priya.id}$`));
});

test('a stale edit is refused (412), explained with what changed, and the typed values are kept', async ({ page, context }) => {
  const s = seed();
  const desk = await StaffApi.as(s.frontDesk.email);
  const made = await desk.call('POST', '/patients', { given_name: 'Olive', family_name: 'Stale', date_of_birth: '1971-09-09' });
  expect(made.status).toBe(201);
  await signInByApi(context, s.frontDesk.email);
  await page.goto(`/patients/${made.body.id}/edit`);
  await expect(page.getByLabel('Given name')).toHaveValue('Olive');
  // Another desk saves first.
  const other = await desk.call('PATCH', `/patients/${made.body.id}`, { phone: '020 7946 0999' }, { 'If-Match': made.etag ?? '' });
  expect(other.status).toBe(200);
  await page.getByLabel('Email').fill('olive@example.test');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('alert')).toContainText('Someone else saved this patient');
  await expect(page.getByText('What the other person changed')).toBeVisible();
  await expect(page.getByText(/Phone\s+is now “020 7946 0999”/)).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue('olive@example.test');
  // The field this person did not touch now shows the saved value.
  await expect(page.locator('#pf-phone')).toHaveValue('020 7946 0999');
  await expectAccessible(page, 'stale edit');
  // Saving again applies the person's change on top of the other one (theirs is kept).
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: 'Olive Stale' })).toBeVisible();
  const now = await desk.call('GET', `/patients/${made.body.id}`);
  expect([now.body.phone, now.body.email]).toEqual(['020 7946 0999', 'olive@example.test']);
});

test('CSV import: a file with errors is listed by line and field, then a good file imports', async ({ page, context }) => {
  const s = seed();
  await signInByApi(context, s.frontDesk.email);
  await page.goto('/patients/import');
  await expectAccessible(page, 'import');
  const bad = ['given_name,family_name,date_of_birth,email', 'Ann,Csvone,1981-02-03,', 'Ben,,1982-02-03,', 'Cat,Csvthree,not-a-date,cat@example.test'].join('\n');
  await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText('Nothing was imported');
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows.filter({ hasText: 'family_name' })).toContainText('3');
  await expect(rows.filter({ hasText: 'date_of_birth' })).toContainText('4');
  await expect(page.locator('progress')).toHaveAttribute('value', '100');
  await expectAccessible(page, 'import errors');
  const desk = await StaffApi.as(s.frontDesk.email);
  expect((await desk.call('GET', '/patients?q=Csvone')).body.items).toEqual([]);

  const good = ['given_name,family_name,date_of_birth,email', 'Ann,Csvone,1981-02-03,', 'Ben,Csvtwo,1982-02-03,ben@example.test'].join('\n');
  await page.getByLabel('CSV file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByText('Imported 2 patients.')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  expect((await desk.call('GET', '/patients?q=Csvtwo')).body.items.map((p: any) => p.given_name)).toEqual(['Ben']);
});

test('from the chart: request a consent, send the portal invitation (422, then sent, then 409), archive', async ({ page, context }) => {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  const template = await admin.call('POST', '/consent-templates', {
    title: 'Photography consent',
    scope: 'photography',
    body_markdown: 'I agree to clinical photographs.',
    risks: [],
  });
  expect(template.status).toBe(201);
  const desk = await StaffApi.as(s.frontDesk.email);
  const made = await desk.call('POST', '/patients', { given_name: 'Wren', family_name: 'Portal', date_of_birth: '1988-08-08' });
  await signInByApi(context, s.frontDesk.email);
  await page.goto(`/patients/${made.body.id}`);
  await expect(page.getByText('No consent has been requested yet.')).toBeVisible();
  await page.getByLabel('Request a consent').selectOption({ label: 'Photography consent (v1)' });
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  await expect(page.getByText('is waiting for the patient\'s signature')).toBeVisible();
  await expect(page.getByRole('row', { name: /Photography consent/ })).toContainText('Waiting for signature');

  await page.getByRole('button', { name: 'Send portal invitation' }).click();
  await expect(page.getByRole('alert')).toContainText('Edit details');
  // Another staff member sets the email (whoever sets it may not also open the login).
  const admin2 = await admin.call('PATCH', `/patients/${made.body.id}`, { email: 'wren@example.test' });
  expect(admin2.status).toBe(200);
  await page.reload();
  await page.getByRole('button', { name: 'Send portal invitation' }).click();
  await expect(page.getByText(/Invitation sent to wren@example.test/)).toBeVisible();
  await page.getByRole('button', { name: 'Send portal invitation' }).click();
  await expect(page.getByRole('alert')).toContainText('No invitation was sent. The patient already has a portal login.');
  await expectAccessible(page, 'chart with messages');

  await page.getByRole('button', { name: 'Archive…' }).click();
  const dialog = page.getByRole('dialog', { name: /Archive Wren Portal/ });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, 'archive dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Archive…' }).click();
  await dialog.getByRole('button', { name: 'Archive patient' }).click();
  await expect(page.getByText('This patient is archived')).toBeVisible();
  expect((await desk.call('GET', `/patients/${made.body.id}`)).body.archived).toBe(true);
});
