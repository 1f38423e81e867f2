// Appointment statuses in words (colour is never the only signal; see app.css for colours).
import type { Schemas } from './api/client';

export type AppointmentStatus = Schemas['AppointmentStatus'];

const words: Record<AppointmentStatus, string> = {
  booked: 'Booked',
  confirmed: 'Confirmed',
  checked_in: 'Checked in',
  in_progress: 'In progress',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

export function statusWord(status: AppointmentStatus): string {
  return words[status] ?? status;
}

// Where a whole word does not fit (the week view's one-line bookings), a sign that is
// not a colour: each status its own shape. The word stays in the accessible name.
const signs: Record<AppointmentStatus, string> = {
  booked: '○',
  confirmed: '✓',
  checked_in: '●',
  in_progress: '▶',
  completed: '✔',
  cancelled: '✕',
  no_show: '!',
};

export function statusSign(status: AppointmentStatus): string {
  return signs[status] ?? '?';
}
