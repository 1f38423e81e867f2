// The patients screens' shared shapes and small helpers.
import type { Schemas } from '../lib/api/client';

export type Patient = Schemas['Patient'];

/** A consent line as the chart gives it to the front desk (status only, no signed text). */
export interface ConsentLine {
  id: string;
  title: string;
  scope: Schemas['ConsentScope'];
  status: Schemas['ConsentStatus'];
  template_version: number;
  signed_at?: string | null;
  expires_at?: string | null;
  revoked_at?: string | null;
}

/**
 * `GET /patients/{id}/record` (an untyped object in the OpenAPI document): the keys every
 * staff role gets. Clinical keys exist only for clinical readers and are not shown here.
 */
export interface StaffRecord {
  patient: Patient;
  appointments: Schemas['Appointment'][];
  consents: ConsentLine[];
}

export const consentWords: Record<Schemas['ConsentStatus'], string> = {
  pending: 'Waiting for signature',
  signed: 'Signed',
  revoked: 'Revoked',
  expired: 'Expired',
};

export const sexWords: Record<Schemas['Sex'], string> = {
  female: 'Female',
  male: 'Male',
  other: 'Other',
  unknown: 'Not stated',
};

/**
 * What the person typed, as the server's search takes it: a date of birth written the
 * local way (14/03/1985, 3.14.1985) becomes YYYY-MM-DD; anything else is left as typed.
 */
export function searchTerm(typed: string, locale?: string): string {
  const q = typed.trim();
  const m = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(q);
  if (!m) return q;
  const order = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'numeric', year: 'numeric' })
    .formatToParts(new Date(Date.UTC(2000, 10, 22)))
    .filter((p) => p.type === 'day' || p.type === 'month')
    .map((p) => p.type);
  const [a, b, year] = [m[1] ?? '', m[2] ?? '', m[3] ?? ''];
  const [day, month] = order[0] === 'month' ? [b, a] : [a, b];
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}
