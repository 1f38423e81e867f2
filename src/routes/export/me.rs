//! `GET /me/export`.
use actix_web::{web, HttpResponse};

use crate::auth::Me;
use crate::error::ApiResult;
use crate::services::fhir::Audience;
use crate::state::AppState;

use super::export;

/// The caller's own record as a FHIR R4 Bundle, as the patient sees it: signed notes
/// only, no appointment notes, no samples, staff by name; photos link to `/me/photos/{id}`.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "me",
    responses((status = 200, description = "FHIR R4 Bundle (collection)", content_type = "application/fhir+json", body = Object)))]
pub async fn my_export(state: web::Data<AppState>, who: Me) -> ApiResult<HttpResponse> {
    export(&state, &who.caller, who.patient, Audience::Patient).await
}
