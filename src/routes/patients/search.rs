//! `GET /patients`.
use actix_web::web;

use crate::api::pagination::{self, Page, TimeCursor};
use crate::api::patients::{Patient, PatientSearchQuery};
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::domain::patient::SearchTerms;
use crate::error::{ApiError, ApiResult, Problem};
use crate::services::patients;
use crate::state::AppState;

/// Finds patients by a prefix of name, MRN, phone or email, or a date of birth; newest first.
/// One `search` audit row per patient returned (never the query text).
#[utoipa::path(get, path = "/api/v1/patients", tag = "patients", params(PatientSearchQuery),
    responses((status = 200, body = Page<Patient>), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn search_patients(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PatientSearchQuery>,
) -> ApiResult<web::Json<Page<Patient>>> {
    let query = query.into_inner();
    let limit = pagination::limit(query.limit)?;
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::validation("q", "must be at most 200 characters"));
    }
    let after = TimeCursor::decode(query.cursor.as_deref())?.map(|c| (c.t, PatientId(c.id)));
    let terms = query.q.as_deref().and_then(SearchTerms::parse);
    let (rows, more) =
        patients::search(&state, &caller, terms, query.include_archived, after, limit).await?;
    let next_cursor = more
        .then(|| {
            rows.last().map(|r| {
                TimeCursor {
                    t: r.created_at,
                    id: r.id.0,
                }
                .encode()
            })
        })
        .flatten();
    let clinical = patients::sees_clinical(&caller);
    Ok(web::Json(Page {
        items: rows
            .into_iter()
            .map(|r| Patient::from_row(r, clinical))
            .collect(),
        next_cursor,
    }))
}
