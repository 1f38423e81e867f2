//! FHIR R4 export of one patient's record: `GET /patients/{id}/export` (practitioners
//! and admin) and `GET /me/export` (the patient's own, as the patient sees it).
pub mod me;
pub mod patient;

use actix_web::HttpResponse;

use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::ApiResult;
use crate::services::fhir::{self, Audience};
use crate::services::record_export;
use crate::state::AppState;

async fn export(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
    audience: Audience,
) -> ApiResult<HttpResponse> {
    let body = record_export::fhir_bundle(state, caller, patient, audience).await?;
    Ok(HttpResponse::Ok()
        .content_type(fhir::FHIR_JSON)
        .insert_header(("cache-control", "no-store"))
        .body(body))
}
