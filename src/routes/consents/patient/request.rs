//! `POST /patients/{id}/consents`.
use actix_web::{web, HttpResponse};

use crate::api::consents::{Consent, RequestConsent};
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::consents;
use crate::state::AppState;

/// Asks the patient to consent: a pending consent of the family's latest version.
#[utoipa::path(post, path = "/api/v1/patients/{id}/consents", tag = "consent", params(("id" = String, Path)),
    request_body = RequestConsent,
    responses((status = 201, body = Consent), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn request_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<RequestConsent>,
) -> ApiResult<HttpResponse> {
    let consent = consents::request(
        &state,
        &caller,
        id.into_inner(),
        body.into_inner().template_id,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/consents/{}", consent.id)))
        .json(consent))
}
