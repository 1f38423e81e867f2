//! `GET /audit/verify`.
use actix_web::web;

use crate::audit::ChainReport;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::services::audit_log;
use crate::state::AppState;

/// Recomputes the chain's keyed MACs and links, checks them against the anchors kept
/// outside the database, and names the first row that does not check out and
/// whether rows are missing from its end.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = ChainReport), (status = 403, body = Problem)))]
pub async fn verify_audit(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<ChainReport>> {
    Ok(web::Json(audit_log::verify(&state).await?))
}
