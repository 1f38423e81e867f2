//! `POST /procedures/{id}/sign`: signs a draft for ever.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::api::notes::Procedure;
use crate::auth::Caller;
use crate::db::types::ProcedureId;
use crate::error::{ApiResult, Problem};
use crate::services::notes;
use crate::state::AppState;

use super::respond;

/// Signs a draft after re-running the gates; locked for ever with its content hash.
#[utoipa::path(post, path = "/api/v1/procedures/{id}/sign", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = Procedure), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn sign_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ProcedureId>,
) -> ApiResult<HttpResponse> {
    let note = notes::sign_note(&state, &caller, id.into_inner()).await?;
    Ok(respond(StatusCode::OK, note))
}
