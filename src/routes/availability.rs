//! `GET /availability`.
use actix_web::web;
use chrono::Duration;

use crate::api::appointments::{AvailabilityQuery, FreeSlot, Slots};
use crate::auth::Caller;
use crate::db::models::clinic;
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult, Problem};
use crate::scheduling;
use crate::state::AppState;

/// Free slots for a service in `[from, to)` (at most 31 days), honouring working hours,
/// time off, existing appointments of the practitioner, the room and the patient,
/// duration + buffer and the room the service needs.
#[utoipa::path(get, path = "/api/v1/availability", tag = "scheduling", params(AvailabilityQuery),
    responses((status = 200, body = Slots), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn availability(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AvailabilityQuery>,
) -> ApiResult<web::Json<Slots>> {
    let q = query.into_inner();
    let (from, to) = (
        crate::api::plausible("from", q.from)?,
        crate::api::plausible("to", q.to)?,
    );
    if to <= from {
        return Err(ApiError::validation("to", "must be after from"));
    }
    if to - from > Duration::days(31) {
        return Err(ApiError::validation("to", "the window is at most 31 days"));
    }
    let step = q.step_minutes.unwrap_or(15);
    if !(5..=240).contains(&step) {
        return Err(ApiError::validation("step_minutes", "must be 5 to 240"));
    }
    // A patient always asks for themself, and only for the future.
    let (patient, not_before) = if caller.role == Role::Patient {
        if q.patient_id.is_some() {
            return Err(ApiError::NotFound);
        }
        (caller.patient_id, crate::db::now())
    } else {
        (q.patient_id, from)
    };
    let tz = state.settings.clinic_timezone;
    let slots = state
        .db(move |conn| {
            let service = clinic::find_service(conn, q.service_id)?
                .ok_or_else(|| ApiError::validation("service_id", "no such service"))?;
            let practitioners = match q.practitioner_id {
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
                from,
                to,
                Duration::minutes(step),
                not_before,
            )
        })
        .await?;
    Ok(web::Json(Slots {
        items: slots
            .into_iter()
            .map(|s| FreeSlot {
                starts_at: crate::api::instant(s.starts_at),
                ends_at: crate::api::instant(s.ends_at),
                practitioner_id: s.practitioner_id,
                room_id: s.room_id,
            })
            .collect(),
    }))
}
