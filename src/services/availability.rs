//! Free slots for a service, as the scheduling rules see them (working hours, time
//! off, the appointments of the practitioner, the room and the patient, duration and
//! buffer, the room the service needs).
use chrono::{Duration, NaiveDateTime};

use crate::auth::Caller;
use crate::db::models::clinic;
use crate::db::types::{PatientId, PractitionerId, ServiceId};
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::services::scheduling::{self, Slot};
use crate::state::AppState;

/// A search for free slots, its values parsed and checked.
pub struct SlotSearch {
    pub service_id: ServiceId,
    /// One practitioner, or every practitioner when `None`.
    pub practitioner_id: Option<PractitionerId>,
    /// The patient whose own appointments must not clash (staff only).
    pub patient_id: Option<PatientId>,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub step: Duration,
}

/// Whose slots, and from when: a patient always asks for themself (naming a patient is
/// 404 for them), and is offered only what online booking accepts — nothing sooner
/// than `portal_min_lead` from now; staff ask for whom they name, from `from`.
pub fn whose_slots(
    caller: &Caller,
    asked: Option<PatientId>,
    from: NaiveDateTime,
    portal_min_lead: Duration,
) -> Result<(Option<PatientId>, NaiveDateTime), ApiError> {
    if caller.role == Role::Patient {
        if asked.is_some() {
            return Err(ApiError::NotFound);
        }
        Ok((caller.patient_id, crate::db::now() + portal_min_lead))
    } else {
        Ok((asked, from))
    }
}

/// Free slots for a service in `[from, to)` (422 naming an unknown service or
/// practitioner).
pub async fn free_slots(
    state: &AppState,
    caller: &Caller,
    search: SlotSearch,
) -> Result<Vec<Slot>, ApiError> {
    let lead = Duration::minutes(state.settings.portal_min_lead_minutes);
    let (patient, not_before) = whose_slots(caller, search.patient_id, search.from, lead)?;
    let tz = state.settings.clinic_timezone;
    state
        .read_together(move |conn| {
            let service = clinic::find_service(conn, search.service_id)?
                .ok_or_else(|| ApiError::validation("service_id", "no such service"))?;
            let practitioners = match search.practitioner_id {
                Some(p) => {
                    clinic::find_practitioner(conn, p)?.ok_or_else(|| {
                        ApiError::validation("practitioner_id", "no such practitioner")
                    })?;
                    vec![p]
                }
                None => clinic::list_practitioners(conn)?
                    .into_iter()
                    .map(|p| p.id)
                    .collect(),
            };
            scheduling::availability(
                conn,
                tz,
                &service,
                &practitioners,
                patient,
                search.from,
                search.to,
                search.step,
                not_before,
            )
        })
        .await
}
