// When the server refuses new working hours or time off (409), its answer names the open
// appointments that would no longer fit. This looks them up (one request, with patient
// and service names) so the manager sees who to move.
import { api, type Schemas } from '../lib/api/client';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export type Stranded = Schemas['AppointmentListItem'];

export async function strandedAppointments(detail: string | undefined, practitionerId: string): Promise<Stranded[]> {
  const ids = new Set((detail ?? '').match(UUID)?.map((s) => s.toLowerCase()) ?? []);
  if (ids.size === 0) return [];
  const found: Stranded[] = [];
  let cursor: string | null = null;
  // Open appointments from now on; usually one page.
  for (let page = 0; page < 10; page++) {
    const answer: { data?: Schemas['Page_AppointmentListItem'] } = await api.GET('/api/v1/appointments', {
      params: {
        query: { practitioner_id: practitionerId, from: new Date().toISOString(), include: 'names', limit: 200, cursor: cursor ?? undefined },
      },
    });
    const data = answer.data;
    if (!data) break;
    found.push(...data.items.filter((a) => ids.has(String(a.id).toLowerCase())));
    cursor = data.next_cursor ?? null;
    if (!cursor || found.length >= ids.size) break;
  }
  return found.sort((a, b) => a.starts_at.localeCompare(b.starts_at));
}
