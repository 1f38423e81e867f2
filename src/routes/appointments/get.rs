//! `GET /appointments/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::api::appointments::Appointment;
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::appointments;
use crate::db::types::AppointmentId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// One appointment, with its `ETag`.
#[utoipa::path(get, path = "/api/v1/appointments/{id}", tag = "scheduling", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 404, body = Problem)))]
pub async fn get_appointment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AppointmentId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| appointments::find(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Read,
            "appointment",
            Some(id.to_string()),
            Some(row.patient_id),
        ))
        .await?;
    Ok(super::appointment_response(StatusCode::OK, row))
}
