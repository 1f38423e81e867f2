//! `PATCH /procedures/{id}`: edits a draft.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use crate::api::notes::Procedure;
use crate::auth::Caller;
use crate::db::types::ProcedureId;
use crate::error::{ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::services::notes;
use crate::state::AppState;

use super::respond;

/// Edits a draft (author only; JSON Merge Patch of the clinical fields; `If-Match`).
#[utoipa::path(patch, path = "/api/v1/procedures/{id}", tag = "clinical", params(("id" = String, Path)),
    request_body = Object,
    responses((status = 200, body = Procedure), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<ProcedureId>,
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
