//! `GET /me/appointments/{id}`.
use actix_web::web;

use crate::api::appointments::Appointment;
use crate::auth::Me;
use crate::db::types::AppointmentId;
use crate::error::{ApiResult, Problem};
use crate::services::appointments;
use crate::state::AppState;

/// One of the patient's appointments.
#[utoipa::path(get, path = "/api/v1/me/appointments/{id}", tag = "me", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 404, body = Problem)))]
pub async fn my_appointment(
    who: Me,
    state: web::Data<AppState>,
    id: web::Path<AppointmentId>,
) -> ApiResult<web::Json<Appointment>> {
    let row = appointments::one_of_mine(&state, &who, id.into_inner()).await?;
    Ok(web::Json(Appointment::from(row)))
}
