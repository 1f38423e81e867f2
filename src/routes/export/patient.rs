//! `GET /patients/{id}/export`.
use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::fhir::Audience;
use crate::state::AppState;

use super::export;

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
