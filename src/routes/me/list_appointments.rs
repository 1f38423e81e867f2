//! `GET /me/appointments`.
use actix_web::web;

use crate::api::appointments::Appointment;
use crate::api::me::MyAppointments;
use crate::auth::Me;
use crate::error::ApiResult;
use crate::services::appointments;
use crate::state::AppState;

/// The patient's appointments (without staff notes).
#[utoipa::path(get, path = "/api/v1/me/appointments", tag = "me", responses((status = 200, body = MyAppointments)))]
pub async fn my_appointments(
    who: Me,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<MyAppointments>> {
    let rows = appointments::mine(&state, &who).await?;
    Ok(web::Json(MyAppointments {
        items: rows.into_iter().map(Appointment::from).collect(),
    }))
}
