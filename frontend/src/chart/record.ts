// The chart's data: `GET /patients/{id}/record` in one request (audited by the server),
// typed here because the server documents it as a plain object.
import { api, type Schemas } from '../lib/api/client';

export type Patient = Schemas['Patient'];
export type Appointment = Schemas['Appointment'];
export type Consent = Schemas['Consent'];
export type Consultation = Schemas['Consultation'];
export type Procedure = Schemas['Procedure'];
export type Sample = Schemas['Sample'];
export type Photo = Schemas['Photo'];
export type Measurement = Schemas['Measurement'];
export type AdverseEvent = Schemas['AdverseEvent'];

export interface ChartRecord {
  patient: Patient;
  appointments: Appointment[];
  consents: Consent[];
  consultations?: Consultation[];
  procedures?: Procedure[];
  samples?: Sample[];
  photos?: Photo[];
  measurements?: Measurement[];
  adverse_events?: AdverseEvent[];
}

export async function loadRecord(id: string) {
  const answer = await api.GET('/api/v1/patients/{id}/record', { params: { path: { id } } });
  return { ...answer, data: answer.data as unknown as ChartRecord | undefined };
}

/** Newest first by a timestamp key. */
export function newestFirst<T>(items: readonly T[] | undefined, at: (t: T) => string): T[] {
  return [...(items ?? [])].sort((a, b) => at(b).localeCompare(at(a)));
}

/** Staff user id → display name, from the practitioners (the people who sign notes). */
export async function loadStaffNames(): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const r = await api.GET('/api/v1/practitioners');
  for (const p of r.data?.items ?? []) names.set(p.user_id, p.display_name);
  return names;
}

export function staffName(names: Map<string, string>, id: string | null | undefined): string {
  if (!id) return '—';
  return names.get(id) ?? 'Clinic staff';
}

export const CONTRAINDICATIONS: [keyof Schemas['Contraindications'], string][] = [
  ['pregnancy', 'Pregnancy or breastfeeding'],
  ['active_infection', 'Active infection at the treatment site'],
  ['active_cancer', 'Active cancer'],
  ['bleeding_disorder', 'Bleeding disorder'],
  ['anticoagulants', 'Takes anticoagulants'],
  ['keloid_history', 'History of keloid scarring'],
  ['recent_isotretinoin', 'Isotretinoin in the last 6 months'],
];

export const CONCERNS: [Schemas['Concern'], string][] = [
  ['fine_lines', 'Fine lines'],
  ['wrinkles', 'Wrinkles'],
  ['age_spots', 'Age spots'],
  ['sagging', 'Sagging'],
  ['uneven_tone', 'Uneven tone'],
  ['acne_scars', 'Acne scars'],
  ['hyperpigmentation', 'Hyperpigmentation'],
  ['other', 'Other'],
];

export function eligibilityWord(e: string): string {
  return e === 'eligible' ? 'Eligible' : e === 'deferred' ? 'Deferred' : 'Not eligible';
}

export const VIEWS: [Schemas['PhotoView'], string][] = [
  ['frontal', 'Frontal'],
  ['left_45', 'Left 45°'],
  ['right_45', 'Right 45°'],
  ['left_profile', 'Left profile'],
  ['right_profile', 'Right profile'],
];

export function viewWord(v: string): string {
  return VIEWS.find(([k]) => k === v)?.[1] ?? v;
}

export function kindWord(k: string): string {
  return k === 'before' ? 'Before' : k === 'after' ? 'After' : 'Follow-up';
}
