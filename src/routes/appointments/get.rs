//! `GET /appointments/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::api::appointments::Appointment;
use crate::auth::Caller;
use crate::db::types::AppointmentId;
use crate::error::{ApiResult, Problem};
use crate::services::appointments;
use crate::state::AppState;

/// One appointment, with its `ETag`.
#[utoipa::path(get, path = "/api/v1/appointments/{id}", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 404, body = Problem)))]
pub async fn get_appointment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AppointmentId>,
) -> ApiResult<HttpResponse> {
    let row = appointments::read(&state, &caller, id.into_inner()).await?;
    Ok(super::appointment_response(
        StatusCode::OK,
        Appointment::from(row),
    ))
}
