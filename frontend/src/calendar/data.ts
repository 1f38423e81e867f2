// The calendar's data: the clinic set-up (loaded once per visit) and the events the
// widget shows for a range — appointments, their buffers, out-of-hours and time off.
import { api, type Schemas } from '../lib/api/client';
import { addDays, isoWeekday, toWall } from '../lib/time';
import type { Calendar } from '@event-calendar/core';

export type Appointment = Schemas['AppointmentListItem'];
export type Practitioner = Schemas['Practitioner'];
export type Room = Schemas['Room'];
export type Location = Schemas['Location'];
export type Service = Schemas['Service'];
export type WorkingHours = Schemas['WorkingHours'];
export type TimeOff = Schemas['TimeOff'];

export interface Setup {
  practitioners: Practitioner[];
  rooms: Room[];
  locations: Location[];
  services: Service[];
  hours: Map<string, WorkingHours[]>;
  timeOff: Map<string, TimeOff[]>;
}

export class LoadError extends Error {
  constructor(
    public error: unknown,
    public response?: Response,
  ) {
    super('load failed');
  }
}

function must<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data === undefined) throw new LoadError(answer.error, answer.response);
  return answer.data;
}

export async function loadSetup(): Promise<Setup> {
  const [practitioners, rooms, locations, services] = await Promise.all([
    api.GET('/api/v1/practitioners').then(must),
    api.GET('/api/v1/rooms').then(must),
    api.GET('/api/v1/locations').then(must),
    api.GET('/api/v1/services').then(must),
  ]);
  const hours = new Map<string, WorkingHours[]>();
  const timeOff = new Map<string, TimeOff[]>();
  await Promise.all(
    practitioners.items.map(async (p) => {
      const path = { params: { path: { id: p.id } } };
      const [h, t] = await Promise.all([
        api.GET('/api/v1/practitioners/{id}/working-hours', path).then(must),
        api.GET('/api/v1/practitioners/{id}/time-off', path).then(must),
      ]);
      hours.set(p.id, h);
      timeOff.set(p.id, t.items);
    }),
  );
  return {
    practitioners: practitioners.items,
    rooms: rooms.items,
    locations: locations.items,
    services: services.items,
    hours,
    timeOff,
  };
}

export type Grouping = 'practitioner' | 'room';

export interface Range {
  /** Clinic wall dates `YYYY-MM-DD`, end exclusive. */
  startDay: string;
  endDay: string;
}

const EDITABLE = new Set(['booked', 'confirmed']);

/** The widget's events for a range: background shading first, then appointments. */
export function buildEvents(
  setup: Setup,
  appointments: Appointment[],
  range: Range,
  grouping: Grouping,
  shown: Set<string>,
): Calendar.EventInput[] {
  const events: Calendar.EventInput[] = [];
  if (grouping === 'practitioner') {
    for (const p of setup.practitioners) {
      if (!shown.has(p.id)) continue;
      const hours = setup.hours.get(p.id) ?? [];
      for (let day = range.startDay; day < range.endDay; day = addDays(day, 1)) {
        const weekday = isoWeekday(day);
        const open = hours
          .filter((h) => h.weekday === weekday)
          .map((h) => [h.start, h.end === '24:00' ? '24:00' : h.end] as const)
          .sort((a, b) => a[0].localeCompare(b[0]));
        let cursor = '00:00';
        const closed: [string, string][] = [];
        for (const [start, end] of open) {
          if (start > cursor) closed.push([cursor, start]);
          if (end > cursor) cursor = end;
        }
        if (cursor < '24:00') closed.push([cursor, '24:00']);
        for (const [start, end] of closed) {
          events.push({
            id: `off-${p.id}-${day}-${start}`,
            start: `${day}T${start}:00`,
            end: end === '24:00' ? `${addDays(day, 1)}T00:00:00` : `${day}T${end}:00`,
            resourceIds: [p.id],
            display: 'background',
            classNames: ['off-hours'],
            extendedProps: { kind: 'off-hours' },
          });
        }
      }
      for (const t of setup.timeOff.get(p.id) ?? []) {
        events.push({
          id: `timeoff-${t.id}`,
          start: toWall(t.starts_at),
          end: toWall(t.ends_at),
          resourceIds: [p.id],
          display: 'background',
          classNames: ['time-off'],
          title: 'Time off',
          extendedProps: { kind: 'time-off', reason: t.reason },
        });
      }
    }
  }
  for (const a of appointments) {
    const resource = grouping === 'practitioner' ? a.practitioner_id : a.room_id;
    if (!resource || !shown.has(resource)) continue;
    const holds = a.status !== 'cancelled' && a.status !== 'no_show';
    if (holds && a.blocked_until > a.ends_at) {
      events.push({
        id: `buffer-${a.id}`,
        start: toWall(a.ends_at),
        end: toWall(a.blocked_until),
        resourceIds: [resource],
        display: 'background',
        classNames: ['buffer'],
        extendedProps: { kind: 'buffer' },
      });
    }
    events.push({
      id: a.id,
      start: toWall(a.starts_at),
      end: toWall(a.ends_at),
      resourceIds: [resource],
      classNames: ['appt', `status-${a.status}`],
      editable: EDITABLE.has(a.status),
      durationEditable: false,
      extendedProps: { kind: 'appointment', appointment: a },
    });
  }
  return events;
}

/** Initials for the privacy switch ("Amelia Hart" → "A. H."). */
export function initials(name: string | null | undefined): string {
  return (name ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => `${part[0]?.toUpperCase()}.`)
    .join(' ');
}

/**
 * The short form of a patient's name for the week view's narrow columns: the family name
 * ("Amelia Hart" → "Hart"; the list gives "given family" as one string, so everything after
 * the first word, which keeps "de Souza" whole), or the name itself when it is one word.
 */
export function shortName(name: string | null | undefined): string {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  return words.length > 1 ? words.slice(1).join(' ') : (words[0] ?? '');
}
