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
