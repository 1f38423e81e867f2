// A small clinic made through the real API (as the admin, with a bearer token).
export const STAFF_PASSWORD = 'ui-tests staff passphrase';

export interface Seed {
  base: string;
  admin: { email: string; password: string };
  frontDesk: { email: string };
  frontDesk2: { email: string };
  practitionerUsers: { email: string }[];
  location: { id: string; name: string };
  rooms: { id: string; name: string }[];
  practitioners: { id: string; name: string }[];
  services: { consult: string; facial: string; review: string };
  patients: { id: string; name: string; mrn: string }[];
}

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function bearer(base: string, email: string, password: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!r.ok) throw new Error(`login ${email} → ${r.status}: ${await r.text()}`);
  return (await r.json()).token;
}

export async function seedClinic(base: string, admin: { email: string; password: string }): Promise<Seed> {
  const t = await bearer(base, admin.email, admin.password);
  const post = (path: string, body: unknown) => call(base, t, 'POST', path, body);
  const location = await post('/locations', { name: 'Harley Street', address: '1 Harley Street, London' });
  const rooms = [await post('/rooms', { location_id: location.id, name: 'Room 1' }), await post('/rooms', { location_id: location.id, name: 'Room 2' })];
  const user = (email: string, display_name: string, role: string) =>
    post('/users', { email, password: STAFF_PASSWORD, display_name, role });
  await user('desk@clinic.test', 'Robin Desk', 'front_desk');
  await user('desk2@clinic.test', 'Sam Desk', 'front_desk');
  const names = ['Dr Ada Okafor', 'Dr Lena Park'];
  const practitioners = [];
  const practitionerUsers = [];
  for (const [i, name] of names.entries()) {
    const email = `doctor${i + 1}@clinic.test`;
    const u = await user(email, name, 'practitioner');
    const p = await post('/practitioners', { user_id: u.id, display_name: name, title: 'Aesthetic physician' });
    // Every day 08:00–20:00, so the tests can book on whatever day they run.
    const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '08:00', end: '20:00', location_id: location.id }));
    await call(base, t, 'PUT', `/practitioners/${p.id}/working-hours`, hours);
    practitioners.push({ id: p.id, name });
    practitionerUsers.push({ email });
  }
  const review = await post('/services', { name: 'Follow-up review', duration_minutes: 20, buffer_minutes: 5 });
  const consult = await post('/services', { name: 'Consultation', duration_minutes: 30, buffer_minutes: 10 });
  const facial = await post('/services', {
    name: 'Stem cell facial',
    duration_minutes: 60,
    buffer_minutes: 15,
    requires_room: true,
    follow_up_days: [14, 42],
    follow_up_service_id: review.id,
  });
  const people = [
    ['Amelia', 'Hart', '1985-03-14'],
    ['Noah', 'Bennett', '1979-11-02'],
    ['Priya', 'Raman', '1992-07-21'],
    ['Tom', 'Whitaker', '1968-01-30'],
    ['Zoe', 'Lindqvist', '2000-05-09'],
  ];
  const patients = [];
  for (const [given, family, dob] of people) {
    const p = await post('/patients', { given_name: given, family_name: family, date_of_birth: dob, phone: '020 7946 0000' });
    patients.push({ id: p.id, name: `${given} ${family}`, mrn: p.mrn });
  }
  return {
    base,
    admin,
    frontDesk: { email: 'desk@clinic.test' },
    frontDesk2: { email: 'desk2@clinic.test' },
    practitionerUsers,
    location: { id: location.id, name: location.name },
    rooms: rooms.map((r) => ({ id: r.id, name: r.name })),
    practitioners,
    services: { consult: consult.id, facial: facial.id, review: review.id },
    patients,
  };
}
