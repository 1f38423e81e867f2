//! `POST /me/appointments/{id}/cancel`.
use actix_web::web;

use crate::api::appointments::{Appointment, CancelAppointment};
use crate::audit::AuditAction;
use crate::auth::Me;
use crate::db::models::appointments::{self};
use crate::db::types::AppointmentId;
use crate::domain::schedule::AppointmentStatus;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::scheduling::{self};
use crate::state::AppState;

/// Cancels one of the patient's own booked or confirmed appointments.
#[utoipa::path(post, path = "/api/v1/me/appointments/{id}/cancel", tag = "me", params(("id" = String, Path)),
    request_body = CancelAppointment,
    responses((status = 200, body = Appointment), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel_my_appointment(
    state: web::Data<AppState>,
    who: Me,
    id: web::Path<AppointmentId>,
    body: Json<CancelAppointment>,
) -> ApiResult<web::Json<Appointment>> {
    let Me {
        caller,
        patient: me,
    } = who;
    let id = id.into_inner();
    let reason = body.into_inner().reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::validation(
            "reason",
            "is required (at most 500 characters)",
        ));
    }
    let tz = state.settings.clinic_timezone;
    let mut row = state
        .write(move |conn, audit| {
            let current = appointments::find(conn, id)?
                .filter(|a| a.patient_id == me)
                .ok_or(ApiError::NotFound)?;
            if !current.status.reschedulable() {
                return Err(ApiError::Conflict(format!(
                    "An appointment that is {} cannot be cancelled online.",
                    current.status.as_str()
                )));
            }
            let row = scheduling::transition(
                conn,
                tz,
                current,
                AppointmentStatus::Cancelled,
                Some(reason),
                None,
            )?;
            audit.push(caller.event(
                AuditAction::Update,
                "appointment",
                Some(id.to_string()),
                Some(me),
            ));
            Ok(row)
        })
        .await?;
    row.notes = None;
    Ok(web::Json(Appointment::from(row)))
}
