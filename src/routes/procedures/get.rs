//! `GET /procedures/{id}`: one procedure with its amendments.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::api::notes::Procedure;
use crate::auth::Caller;
use crate::db::types::ProcedureId;
use crate::error::{ApiResult, Problem};
use crate::services::notes;
use crate::state::AppState;

use super::respond;

/// A procedure with every amendment.
#[utoipa::path(get, path = "/api/v1/procedures/{id}", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = Procedure), (status = 404, body = Problem)))]
pub async fn get_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ProcedureId>,
) -> ApiResult<HttpResponse> {
    let note = notes::read_note(&state, &caller, id.into_inner()).await?;
    Ok(respond(StatusCode::OK, note))
}
