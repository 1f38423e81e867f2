// Fixtures for the treatment journeys, made through the real API: a consented facial
// service (treatment consent family), a photography consent, a fresh patient per test,
// and a booking today.
import { at, clinicDay, StaffApi } from './clinic';
import { seed } from './fixtures';
import { bearer, STAFF_PASSWORD } from './seed';

export const CONSENT_TEXT = 'I agree to the autologous stem cell facial. Risks: swelling, bruising, infection.';

let made: { service: string; photoFamily: string; treatmentFamily: string } | null = null;

async function ok(r: { status: number; body: any }, what: string): Promise<any> {
  if (r.status >= 300) throw new Error(`${what} → ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The consented facial service and the consent families (made once per run). */
export async function treatmentSetup(): Promise<{ service: string; photoFamily: string; treatmentFamily: string }> {
  if (made) return made;
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  const existing = (await admin.call('GET', '/services')).body.items.find((x: any) => x.name === 'Consented stem cell facial');
  const templates = (await admin.call('GET', '/consent-templates')).body.items as any[];
  let treatment = templates.find((t) => t.title === 'Stem cell facial consent');
  if (!treatment) {
    treatment = await ok(
      await admin.call('POST', '/consent-templates', {
        title: 'Stem cell facial consent',
        body_markdown: CONSENT_TEXT,
        risks: ['swelling', 'bruising', 'infection'],
        scope: 'treatment',
        valid_for_days: 365,
      }),
      'treatment template',
    );
  }
  let photo = templates.find((t) => t.title === 'Clinical photography consent');
  if (!photo) {
    photo = await ok(
      await admin.call('POST', '/consent-templates', {
        title: 'Clinical photography consent',
        body_markdown: 'I agree to clinical photographs of my face being taken and kept in my record.',
        scope: 'photography',
      }),
      'photography template',
    );
  }
  const service =
    existing ??
    (await ok(
      await admin.call('POST', '/services', {
        name: 'Consented stem cell facial',
        duration_minutes: 60,
        buffer_minutes: 15,
        consent_template_id: treatment.family_id,
      }),
      'service',
    ));
  made = { service: service.id, photoFamily: photo.family_id, treatmentFamily: treatment.family_id };
  return made;
}

let counter = 0;
/** A new patient (own name per test), with an allergy and a medication. */
export async function newPatient(given: string): Promise<{ id: string; name: string; family: string }> {
  const s = seed();
  const doctor = await StaffApi.as(s.practitionerUsers[0]!.email);
  counter += 1;
  const family = `Visit${Date.now().toString(36)}${counter}`;
  const p = await ok(
    await doctor.call('POST', '/patients', {
      given_name: given,
      family_name: family,
      date_of_birth: '1984-06-02',
      phone: '020 7946 0101',
      allergies: ['Lidocaine'],
      medications: ['Levothyroxine 50 µg'],
    }),
    'patient',
  );
  return { id: p.id, name: `${given} ${family}`, family };
}

/** A practitioner of one's own (every test its own, so bookings never clash), working all day every day. */
export async function newPractitioner(name: string): Promise<{ id: string; email: string; name: string }> {
  const s = seed();
  const admin = await StaffApi.as(s.admin.email);
  counter += 1;
  const email = `doc-${Date.now().toString(36)}-${counter}@clinic.test`;
  const u = await ok(await admin.call('POST', '/users', { email, password: STAFF_PASSWORD, display_name: name, role: 'practitioner' }), 'user');
  const p = await ok(await admin.call('POST', '/practitioners', { user_id: u.id, display_name: name, title: 'Aesthetic physician' }), 'practitioner');
  const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '23:59', location_id: s.location.id }));
  await ok(await admin.call('PUT', `/practitioners/${p.id}/working-hours`, hours), 'working hours');
  return { id: p.id, email, name };
}

/** The clinic's wall time of the current quarter hour, `HH:MM` (a visit happening now). */
export function quarterNow(): string {
  const wall = at(clinicDay(0), '00:00');
  const minutes = Math.floor((Date.now() - Date.parse(wall)) / 60000);
  const q = Math.floor(minutes / 15) * 15;
  return `${String(Math.floor(q / 60)).padStart(2, '0')}:${String(q % 60).padStart(2, '0')}`;
}

/** A visit now: a fresh practitioner and patient, booked at the current quarter hour. */
export async function visitNow(given: string, service?: string): Promise<{ doctor: { id: string; email: string; name: string }; patient: { id: string; name: string }; appointment: any }> {
  const s = seed();
  const doctor = await newPractitioner(`Dr ${given} Carer`);
  const patient = await newPatient(given);
  const desk = await StaffApi.as(s.frontDesk.email);
  const appointment = await desk.book(patient.id, doctor.id, service ?? (await treatmentSetup()).service, at(clinicDay(0), quarterNow()));
  return { doctor, patient, appointment };
}

export async function doctorApi(email: string): Promise<StaffApi> {
  return StaffApi.as(email);
}

export { ok };

/** A real 1×1 PNG, for signatures made through the API. */
export const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Signs a photography consent for the patient (as the practitioner, through the API). */
export async function photographyConsent(doctorEmail: string, patient: string): Promise<void> {
  const { photoFamily } = await treatmentSetup();
  const api = await StaffApi.as(doctorEmail);
  const c = await ok(await api.call('POST', `/patients/${patient}/consents`, { template_id: photoFamily }), 'photo consent');
  await ok(await api.call('POST', `/consents/${c.id}/sign`, { signer_name: 'Patient', signature_png_base64: TINY_PNG, signer_kind: 'patient' }), 'sign photo consent');
}

/** An eligible, signed consultation (as the practitioner, through the API). */
export async function signedConsultation(doctorEmail: string, patient: string): Promise<void> {
  const api = await StaffApi.as(doctorEmail);
  const c = await ok(
    await api.call('POST', '/consultations', {
      patient_id: patient,
      concerns: ['fine_lines'],
      contraindications: { pregnancy: false, active_infection: false, active_cancer: false, bleeding_disorder: false, anticoagulants: false, keloid_history: false, recent_isotretinoin: false },
      eligibility: 'eligible',
    }),
    'consultation',
  );
  await ok(await api.call('POST', `/consultations/${c.id}/sign`, {}, { 'if-match': `"${c.version}"` }), 'sign consultation');
}

/** Uploads a photo through the API (multipart, as the tablet does). */
export async function uploadPhoto(doctorEmail: string, patient: string, image: Buffer, view: string, kind: string, takenAt: string): Promise<void> {
  const s = seed();
  const token = await bearer(s.base, doctorEmail, STAFF_PASSWORD);
  const form = new FormData();
  form.append('view', view);
  form.append('kind', kind);
  form.append('taken_at', takenAt);
  form.append('file', new Blob([new Uint8Array(image)], { type: 'image/png' }), `${kind}.png`);
  const r = await fetch(`${s.base}/api/v1/patients/${patient}/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (r.status !== 201) throw new Error(`photo → ${r.status}: ${await r.text()}`);
}

/** A whole treated visit made through the API, for screenshots: signed notes, consent, sample applied, measurements. */
export async function treatedVisit(given: string): Promise<{ doctor: { id: string; email: string; name: string }; patient: { id: string; name: string }; appointment: any; procedure: any; consent: any }> {
  const s = seed();
  const v = await visitNow(given);
  const { treatmentFamily } = await treatmentSetup();
  const doc = await StaffApi.as(v.doctor.email);
  const desk = await StaffApi.as(s.frontDesk.email);
  await photographyConsent(v.doctor.email, v.patient.id);
  const day = 86400_000;
  const series: [string, string, number[]][] = [
    ['skin_moisture', "[arb'U]", [38, 41]],
    ['firmness', 'mm', [0.42, 0.39]],
    ['wrinkle_severity', '{score}', [4, 3]],
  ];
  for (const [metric, unit, [base]] of series) {
    await ok(await doc.call('POST', `/patients/${v.patient.id}/measurements`, { metric, unit, value: base, measured_at: new Date(Date.now() - 20 * day).toISOString(), device: 'Corneometer CM 825' }), 'baseline');
  }
  await signedConsultation(v.doctor.email, v.patient.id);
  const consent = await ok(await doc.call('POST', `/patients/${v.patient.id}/consents`, { template_id: treatmentFamily }), 'consent');
  const signed = await ok(await doc.call('POST', `/consents/${consent.id}/sign`, { signer_name: v.patient.name, signature_png_base64: TINY_PNG, signer_kind: 'patient' }), 'sign consent');
  await ok(await desk.call('POST', `/appointments/${v.appointment.id}/check-in`, {}), 'check-in');
  await ok(await doc.call('POST', `/appointments/${v.appointment.id}/start`, {}), 'start');
  await new Promise((r) => setTimeout(r, 1100));
  const procedure = await ok(
    await doc.call('POST', '/procedures', {
      patient_id: v.patient.id,
      appointment_id: v.appointment.id,
      service_id: v.appointment.service_id,
      consent_id: consent.id,
      performed_at: new Date().toISOString(),
      preparation: { cleansing: 'Chlorhexidine 0.05%', anaesthesia: 'Topical lidocaine 4%, 30 min', exfoliation: 'Enzyme peel' },
      harvest: { site: 'Abdomen', method: 'Mini-liposuction', volume_ml: 20 },
      processing: { method: 'Enzymatic digestion', duration_minutes: 45 },
      application: { method: 'Microinjection', areas: [{ area: 'Forehead', volume_ml: 1.5 }, { area: 'Cheeks', volume_ml: 2 }] },
      products: [{ name: 'Hyaluronic carrier gel', lot_number: 'HCG-2291', expiry_date: '2030-06-30' }],
      aftercare: 'No make-up for 24 h; SPF 50.',
    }),
    'procedure',
  );
  const sample = await ok(await doc.call('POST', '/samples', { patient_id: v.patient.id, procedure_id: procedure.id, harvested_at: new Date(Date.now() - 60_000).toISOString(), site: 'Abdomen', volume_ml: 20 }), 'sample');
  await ok(await doc.call('POST', `/samples/${sample.id}/events`, { kind: 'processed', at: new Date(Date.now() - 30_000).toISOString(), details: {} }), 'processed');
  await ok(await doc.call('POST', `/procedures/${procedure.id}/sign`, {}), 'sign procedure');
  for (const [metric, unit, [, now]] of series) {
    await ok(await doc.call('POST', `/patients/${v.patient.id}/measurements`, { metric, unit, value: now, measured_at: new Date().toISOString(), device: 'Corneometer CM 825' }), 'today');
  }
  return { ...v, procedure, consent: signed };
}
