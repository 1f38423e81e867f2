//! `PATCH /appointments/{id}` (reschedule).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::{Appointment, UpdateAppointment};
use crate::auth::Caller;
use crate::db::types::AppointmentId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::services::appointments;
use crate::state::AppState;

/// Moves a booked or confirmed appointment, re-running every booking rule; it returns
/// to `booked` and its reminder is re-timed. `If-Match` → 412 when stale.
#[utoipa::path(patch, path = "/api/v1/appointments/{id}", tag = "scheduling", params(("id" = String, Path)),
    request_body = UpdateAppointment,
    responses((status = 200, body = Appointment), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_appointment(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<AppointmentId>,
    body: Json<UpdateAppointment>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let expected = if_match_version(&req)?;
    let patch = body.into_inner();
    for (field, is_null) in [
        ("starts_at", matches!(patch.starts_at, Some(None))),
        (
            "practitioner_id",
            matches!(patch.practitioner_id, Some(None)),
        ),
        ("service_id", matches!(patch.service_id, Some(None))),
    ] {
        if is_null {
            return Err(ApiError::validation(field, "cannot be null"));
        }
    }
    let request = appointments::RescheduleRequest {
        starts_at: patch.starts_at.flatten(),
        practitioner_id: patch.practitioner_id.flatten(),
        room_id: patch.room_id,
        service_id: patch.service_id.flatten(),
        notes: patch.notes,
    };
    let row = appointments::reschedule(&state, &caller, id, expected, request).await?;
    Ok(super::appointment_response(
        StatusCode::OK,
        Appointment::from(row),
    ))
}
