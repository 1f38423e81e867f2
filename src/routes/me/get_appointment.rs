//! `GET /me/appointments/{id}`.
use actix_web::web;

use crate::api::appointments::Appointment;
use crate::auth::Me;
use crate::db::models::appointments::{self};
use crate::db::types::AppointmentId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// One of the patient's appointments.
#[utoipa::path(get, path = "/api/v1/me/appointments/{id}", tag = "me", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 404, body = Problem)))]
pub async fn my_appointment(
    who: Me,
    state: web::Data<AppState>,
    id: web::Path<AppointmentId>,
) -> ApiResult<web::Json<Appointment>> {
    let id = id.into_inner();
    let mut row = who
        .read(
            &state,
            "appointment",
            Some(id.to_string()),
            move |conn, me| {
                appointments::find(conn, id)?
                    .filter(|a| a.patient_id == me)
                    .ok_or(ApiError::NotFound)
            },
        )
        .await?;
    row.notes = None;
    Ok(web::Json(Appointment::from(row)))
}
