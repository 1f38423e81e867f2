//! Reading the audit log (admin): its rows, filtered, and the check of its chain.
use crate::api::audit::AuditQuery;
use crate::api::pagination::{self, decode_seq_cursor};
use crate::audit::{verify_chain, ChainReport};
use crate::db::models::audit::{self, AuditFilter, AuditRow};
use crate::error::ApiError;
use crate::state::AppState;

/// A page of audit rows, newest first, filtered by patient, actor and a half-open time
/// range, before the cursor's sequence number; and whether there are more.
pub async fn list(
    state: &AppState,
    query: AuditQuery,
    limit: i64,
) -> Result<(Vec<AuditRow>, bool), ApiError> {
    let filter = AuditFilter {
        patient_id: query.patient_id,
        actor_id: query.actor_id,
        from: query
            .from
            .map(|t| crate::api::plausible("from", t))
            .transpose()?,
        to: query
            .to
            .map(|t| crate::api::plausible("to", t))
            .transpose()?,
        actions: None,
        before_seq: decode_seq_cursor(query.cursor.as_deref())?,
    };
    let rows = state
        .db(move |conn| Ok(audit::list(conn, &filter, limit + 1)?))
        .await?;
    Ok(pagination::split_page(rows, limit))
}

/// Recomputes the chain's keyed MACs and links against the anchors kept outside the
/// database: the first row that does not check out, and whether rows are missing.
pub async fn verify(state: &AppState) -> Result<ChainReport, ApiError> {
    let seal = state.audit.seal();
    state
        .db(move |conn| verify_chain(conn, &seal).map_err(ApiError::Internal))
        .await
}
