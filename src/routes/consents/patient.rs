//! `GET/POST /patients/{id}/consents`, `GET /consents/{id}`.
use actix_web::{web, HttpResponse};

use crate::api::consents::{Consent, ConsentList, RequestConsent};
use crate::auth::Caller;
use crate::db::types::{ConsentId, PatientId};
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

/// A patient's consents with their status (front desk sees them too).
#[utoipa::path(get, path = "/api/v1/patients/{id}/consents", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = ConsentList), (status = 404, body = Problem)))]
pub async fn list_consents(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<web::Json<ConsentList>> {
    let items = consents::list_for_patient(&state, &caller, id.into_inner()).await?;
    Ok(web::Json(ConsentList { items }))
}

/// One consent.
#[utoipa::path(get, path = "/api/v1/consents/{id}", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = Consent), (status = 404, body = Problem)))]
pub async fn get_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsentId>,
) -> ApiResult<web::Json<Consent>> {
    Ok(web::Json(
        consents::read(&state, &caller, id.into_inner()).await?,
    ))
}
