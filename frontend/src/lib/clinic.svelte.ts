// The clinic's settings every screen needs (its time zone, the online booking rules),
// from `GET /clinic`.
import type { components } from './api/schema';

class Clinic {
  timezone = $state('Europe/London');
  /** What a patient may book online (the server enforces it; the portal states it). */
  onlineBooking = $state<components['schemas']['OnlineBookingRules'] | null>(null);
  loaded = $state(false);
}

export const clinic = new Clinic();

/** The browser's own zone (to name the clinic's where they differ). */
export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A lead time as a person says it before "notice": "2 hours'", "1 day's", "90 minutes'". */
export function noticeInWords(minutes: number): string {
  const [n, unit] = minutes > 0 && minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes > 0 && minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return n === 1 ? `1 ${unit}'s` : `${n} ${unit}s'`;
}
