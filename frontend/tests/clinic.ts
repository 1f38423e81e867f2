// Helpers for tests: the clinic's days and times (Europe/London), and API calls as staff.
import { bearer, STAFF_PASSWORD } from './seed';
import { seed } from './fixtures';

export const ZONE = 'Europe/London';

function offsetMs(instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The clinic's date `days` from today, `YYYY-MM-DD`. */
export function clinicDay(days = 0): string {
  const now = new Date();
  const wall = new Date(now.getTime() + offsetMs(now));
  wall.setUTCDate(wall.getUTCDate() + days);
  return wall.toISOString().slice(0, 10);
}

/** A clinic wall time on a day as an ISO instant. */
export function at(day: string, hhmm: string): string {
  const guess = Date.parse(`${day}T${hhmm}:00Z`);
  const instant = guess - offsetMs(new Date(guess - offsetMs(new Date(guess))));
  return new Date(instant).toISOString();
}

export class StaffApi {
  private constructor(
    private base: string,
    private token: string,
  ) {}

  static async as(email: string): Promise<StaffApi> {
    const s = seed();
    return new StaffApi(s.base, await bearer(s.base, email, email === s.admin.email ? s.admin.password : STAFF_PASSWORD));
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; etag: string | null }> {
    const r = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null, etag: r.headers.get('etag') };
  }

  async book(patient: string, practitioner: string, service: string, startsAt: string): Promise<any> {
    const r = await this.call('POST', '/appointments', { patient_id: patient, practitioner_id: practitioner, service_id: service, starts_at: startsAt });
    if (r.status !== 201) throw new Error(`booking → ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async appointments(day: string): Promise<any[]> {
    const from = encodeURIComponent(at(day, '00:00'));
    const to = encodeURIComponent(at(day, '23:59'));
    const r = await this.call('GET', `/appointments?from=${from}&to=${to}&include=names&limit=200`);
    return r.body.items;
  }
}
