//! `POST /me/appointments/{id}/cancel`.
use actix_web::web;

use crate::api::appointments::{Appointment, CancelAppointment};
use crate::auth::Me;
use crate::db::types::AppointmentId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::appointments;
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
    let reason = appointments::cancel_reason(&body.into_inner().reason)?;
    let row = appointments::cancel_mine(&state, &who, id.into_inner(), reason).await?;
    Ok(web::Json(Appointment::from(row)))
}
