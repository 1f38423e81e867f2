//! `GET /audit/verify`.
use actix_web::web;

use crate::audit::{verify_chain, ChainReport};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

/// Recomputes the hash chain and names the first row that does not check out.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = ChainReport), (status = 403, body = Problem)))]
pub async fn verify_audit(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<ChainReport>> {
    let report = state.db(|conn| Ok(verify_chain(conn)?)).await?;
    Ok(web::Json(report))
}
