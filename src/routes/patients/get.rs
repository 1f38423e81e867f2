//! `GET /patients/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::api::patients::Patient;
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients;
use crate::db::types::PatientId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// One patient (archived ones too, marked `archived: true`).
#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = String, Path)),
    responses((status = 200, body = Patient), (status = 404, body = Problem)))]
pub async fn get_patient(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| patients::find(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
    state
        .audit
        .record(caller.patient_event(AuditAction::Read, row.id))
        .await?;
    Ok(super::patient_response(
        StatusCode::OK,
        Patient::from_row(row, super::sees_clinical(&caller)),
    ))
}
