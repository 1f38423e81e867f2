// Dates and times in the clinic's time zone (whatever the browser's), in the
// browser's locale format. The calendar works in the clinic's wall-clock time:
// `toWall` and `fromWall` convert between an instant and that wall time.
import { clinic } from './clinic.svelte';

const formatters = new Map<string, Intl.DateTimeFormat>();

function fmt(options: Intl.DateTimeFormatOptions, zone = clinic.timezone): Intl.DateTimeFormat {
  const key = zone + JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { timeZone: zone, ...options });
    formatters.set(key, f);
  }
  return f;
}

export function formatTime(iso: string | Date): string {
  return fmt({ hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function formatDate(iso: string | Date): string {
  return fmt({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
}

/** The days from `first` to `last` (both shown), the locale's way: "7–13 Dec 2026". */
export function formatDayRange(first: string | Date, last: string | Date): string {
  return fmt({ day: 'numeric', month: 'short', year: 'numeric' }).formatRange(new Date(first), new Date(last));
}

export function formatDateTime(iso: string | Date): string {
  return fmt({ weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );
}

/** A calendar date (no time, no zone) such as a date of birth, in the locale's format. */
export function formatPlainDate(ymd: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(
    new Date(`${ymd}T00:00:00Z`),
  );
}

/** "in 20 min", "3 days ago" beside absolute times for deadlines. */
export function relative(iso: string, now = Date.now()): string {
  const minutes = Math.round((new Date(iso).getTime() - now) / 60000);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (Math.abs(minutes) < 60) return rtf.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return rtf.format(hours, 'hour');
  return rtf.format(Math.round(hours / 24), 'day');
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallParts(instant: Date, zone: string): Wall {
  const parts = fmt(
    { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
    zone,
  ).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(instant: Date, zone: string): number {
  const w = wallParts(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as the clinic's wall-clock time, `YYYY-MM-DDTHH:MM:SS` (no zone). */
export function toWall(iso: string | Date, zone = clinic.timezone): string {
  const w = wallParts(new Date(iso), zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** The clinic's wall-clock time (`YYYY-MM-DDTHH:MM[:SS]`) as a UTC instant. */
export function fromWall(wall: string, zone = clinic.timezone): Date {
  const [date = '', time = '00:00:00'] = wall.split('T');
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const [hh = 0, mm = 0, ss = 0] = time.split(':').map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm, ss);
  // Two passes settle the offset across a DST change.
  let instant = guess - offsetAt(new Date(guess), zone);
  instant = guess - offsetAt(new Date(instant), zone);
  return new Date(instant);
}

/** A JS Date whose local fields equal the clinic's wall time (what the calendar widget expects). */
export function wallDate(iso: string | Date): Date {
  const w = wallParts(new Date(iso), clinic.timezone);
  return new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The inverse of `wallDate`: a widget Date (local fields = clinic wall time) as an instant. */
export function fromWallDate(d: Date): Date {
  return fromWall(`${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:00`);
}

/** Today's date in the clinic, `YYYY-MM-DD`. */
export function clinicToday(): string {
  return toWall(new Date()).slice(0, 10);
}

/** The clinic's UTC offset at an instant as `±HH:MM` (what the calendar widget takes). */
export function clinicOffset(at: Date = new Date()): string {
  const minutes = Math.round(offsetAt(at, clinic.timezone) / 60000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Adds days to a `YYYY-MM-DD` date. */
export function addDays(ymd: string, days: number): string {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday) of a `YYYY-MM-DD` date. */
export function isoWeekday(ymd: string): number {
  const day = new Date(`${ymd}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}
