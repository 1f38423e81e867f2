//! `PATCH /consultations/{id}`: edits a draft.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use crate::api::notes::Consultation;
use crate::auth::Caller;
use crate::db::types::ConsultationId;
use crate::error::{ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::services::notes;
use crate::state::AppState;

use super::respond;

/// Edits a draft (its author only; JSON Merge Patch of the clinical fields; `If-Match`).
#[utoipa::path(patch, path = "/api/v1/consultations/{id}", tag = "clinical", params(("id" = String, Path)),
    request_body = Object,
    responses((status = 200, body = Consultation), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<ConsultationId>,
    body: Json<Map<String, Value>>,
) -> ApiResult<HttpResponse> {
    let expected = if_match_version(&req)?;
    let note = notes::update_draft(
        &state,
        &caller,
        id.into_inner(),
        expected,
        body.into_inner(),
    )
    .await?;
    Ok(respond(StatusCode::OK, note))
}
