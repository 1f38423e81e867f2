//! `GET /availability`.
use actix_web::web;
use chrono::Duration;

use crate::api::appointments::{AvailabilityQuery, FreeSlot, Slots};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::services::availability::{self, SlotSearch};
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
    let search = SlotSearch {
        service_id: q.service_id,
        practitioner_id: q.practitioner_id,
        patient_id: q.patient_id,
        from,
        to,
        step: Duration::minutes(step),
    };
    let slots = availability::free_slots(&state, &caller, search).await?;
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
