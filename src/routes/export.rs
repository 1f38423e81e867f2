//! FHIR R4 export of one patient's record: `GET /patients/{id}/export` (practitioners
//! and admin) and `GET /me/export` (the patient's own, as the patient sees it).
use actix_web::{web, HttpResponse};

use crate::auth::{Caller, Me};
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
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

/// The patient's whole record as a FHIR R4 `collection` Bundle (Patient, Appointment,
/// Encounter, Consent, Procedure, Observation, Media, AdverseEvent). Audited as `export`.
#[utoipa::path(get, path = "/api/v1/patients/{id}/export", tag = "interoperability", params(("id" = String, Path)),
    responses((status = 200, description = "FHIR R4 Bundle (collection)", content_type = "application/fhir+json", body = Object),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn patient_export(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<HttpResponse> {
    export(&state, &caller, id.into_inner(), Audience::Staff).await
}

/// The caller's own record as a FHIR R4 Bundle, as the patient sees it: signed notes
/// only, no appointment notes, no samples, staff by name; photos link to `/me/photos/{id}`.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "me",
    responses((status = 200, description = "FHIR R4 Bundle (collection)", content_type = "application/fhir+json", body = Object)))]
pub async fn my_export(state: web::Data<AppState>, who: Me) -> ApiResult<HttpResponse> {
    export(&state, &who.caller, who.patient, Audience::Patient).await
}
