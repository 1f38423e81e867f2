//! `GET /adverse-events`.
use actix_web::web;

use crate::api::adverse::{AdverseEvent, AdverseEventList, DueQuery};
use crate::api::pagination::TimeCursor;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::services::adverse;
use crate::state::AppState;

/// Every adverse event, newest recorded first, paged; optionally only the serious
/// ones whose report falls due before an instant and is not yet made, one
/// patient's, or one severity's.
#[utoipa::path(get, path = "/api/v1/adverse-events", tag = "clinical", params(DueQuery),
    responses((status = 200, body = AdverseEventList), (status = 400, body = Problem),
        (status = 422, body = Problem)))]
pub async fn reports_due(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DueQuery>,
) -> ApiResult<web::Json<AdverseEventList>> {
    let (rows, more) = adverse::list(&state, &caller, query.into_inner()).await?;
    let next_cursor = more
        .then(|| {
            rows.last().map(|r| {
                TimeCursor {
                    t: r.recorded_at,
                    id: r.id.0,
                }
                .encode()
            })
        })
        .flatten();
    Ok(web::Json(AdverseEventList {
        items: rows.into_iter().map(AdverseEvent::from).collect(),
        next_cursor,
    }))
}
