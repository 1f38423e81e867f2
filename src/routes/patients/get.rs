//! `GET /patients/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::api::patients::Patient;
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::patients;
use crate::state::AppState;

/// One patient (archived ones too, marked `archived: true`).
#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = String, Path)),
    responses((status = 200, body = Patient), (status = 404, body = Problem)))]
pub async fn get_patient(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    let row = patients::read(&state, &caller, id.into_inner()).await?;
    Ok(super::patient_response(
        StatusCode::OK,
        Patient::from_row(row, patients::sees_clinical(&caller)),
    ))
}
