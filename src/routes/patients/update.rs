//! `PATCH /patients/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::patients::{fields_of, Patient, UpdatePatient};
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::services::patients;
use crate::state::AppState;

/// Changes a patient's fields (JSON Merge Patch); `If-Match` guards against lost updates.
#[utoipa::path(patch, path = "/api/v1/patients/{id}", tag = "patients", params(("id" = String, Path)),
    request_body = UpdatePatient,
    responses((status = 200, body = Patient), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_patient(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<PatientId>,
    body: Json<UpdatePatient>,
) -> ApiResult<HttpResponse> {
    let expected = if_match_version(&req)?;
    let patch = body.into_inner();
    patients::refuse_clinical_from_front_desk(&caller, patch.has_clinical_fields())?;
    let row = patients::update(&state, &caller, id.into_inner(), expected, move |current| {
        patch
            .apply(fields_of(current))
            .map_err(ApiError::Validation)
    })
    .await?;
    Ok(super::patient_response(
        StatusCode::OK,
        Patient::from_row(row, patients::sees_clinical(&caller)),
    ))
}
