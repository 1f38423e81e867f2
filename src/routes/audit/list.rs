//! `GET /audit`.
use actix_web::web;

use crate::api::audit::{AuditEntry, AuditQuery};
use crate::api::pagination::{self, encode_seq_cursor, Page};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::services::audit_log;
use crate::state::AppState;

/// Audit rows, newest first, filtered by patient, actor and a half-open time range.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list_audit(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<AuditQuery>,
) -> ApiResult<web::Json<Page<AuditEntry>>> {
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    let (rows, more) = audit_log::list(&state, query, limit).await?;
    let next_cursor = more
        .then(|| rows.last().map(|r| encode_seq_cursor(r.seq)))
        .flatten();
    Ok(web::Json(Page {
        items: rows.into_iter().map(AuditEntry::from).collect(),
        next_cursor,
    }))
}
