//! `POST /patients`.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use crate::api::patients::{CreatePatient, Patient};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::services::patients;
use crate::state::AppState;

/// Registers a patient; the server assigns the MRN.
#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", request_body = CreatePatient,
    responses((status = 201, body = Patient), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_patient(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreatePatient>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    patients::refuse_clinical_from_front_desk(&caller, body.has_clinical_fields())?;
    let row = patients::register(&state, &caller, body.into_fields()).await?;
    let location = format!("/api/v1/patients/{}", row.id);
    let mut response = super::patient_response(
        StatusCode::CREATED,
        Patient::from_row(row, patients::sees_clinical(&caller)),
    );
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}
