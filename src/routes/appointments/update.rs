//! `PATCH /appointments/{id}` (reschedule).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::appointments::{Appointment, UpdateAppointment};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::{appointments, clinic};
use crate::db::types::AppointmentId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::scheduling::{self, Reschedule};
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
    if patch
        .notes
        .as_ref()
        .and_then(|n| n.as_deref())
        .is_some_and(|n| n.chars().count() > 2000)
    {
        return Err(ApiError::validation(
            "notes",
            "must be at most 2000 characters",
        ));
    }
    let new_start = match patch.starts_at.flatten() {
        Some(t) => Some(crate::api::plausible("starts_at", t)?),
        None => None,
    };
    let tz = state.settings.clinic_timezone;
    let lead = state.settings.reminder_lead();
    let who = caller.clone();
    let row = state
        .write(move |conn, audit| {
            let row = {
                let current = appointments::find(conn, id)?.ok_or(ApiError::NotFound)?;
                let service = match patch.service_id.flatten() {
                    Some(s) => Some(
                        clinic::find_service(conn, s)?
                            .ok_or_else(|| ApiError::validation("service_id", "no such service"))?,
                    ),
                    None => None,
                };
                let change = Reschedule {
                    starts_at: new_start,
                    practitioner_id: patch.practitioner_id.flatten(),
                    room_id: patch.room_id,
                    service,
                    notes: patch.notes,
                };
                scheduling::reschedule(conn, tz, current, change, expected, lead)
            }?;
            audit.push(who.event(
                AuditAction::Update,
                "appointment",
                Some(id.to_string()),
                Some(row.patient_id),
            ));
            Ok(row)
        })
        .await?;
    Ok(super::appointment_response(StatusCode::OK, row))
}
