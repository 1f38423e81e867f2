//! `POST /procedures/{id}/amendments`: amends a signed procedure.
use actix_web::{web, HttpResponse};

use crate::api::notes::{Amendment, CreateAmendment};
use crate::auth::Caller;
use crate::db::types::ProcedureId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::notes;
use crate::state::AppState;

/// Amends a signed procedure note (author; reason; clinical fields only).
#[utoipa::path(post, path = "/api/v1/procedures/{id}/amendments", tag = "clinical", params(("id" = String, Path)),
    request_body = CreateAmendment,
    responses((status = 201, body = Amendment), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn amend_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ProcedureId>,
    body: Json<CreateAmendment>,
) -> ApiResult<HttpResponse> {
    let amendment = notes::amend_note(&state, &caller, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(Amendment::from(amendment)))
}
