//! `GET /outcomes`.
use actix_web::web;

use crate::api::measurements::{OutcomeQuery, Outcomes};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::services::measurements;
use crate::state::AppState;

/// Change from baseline at each follow-up offset of the service, across patients:
/// mean, median and n (GAIS and satisfaction raw). Each signed procedure is one series.
#[utoipa::path(get, path = "/api/v1/outcomes", tag = "outcomes", params(OutcomeQuery),
    responses((status = 200, body = Outcomes), (status = 422, body = Problem)))]
pub async fn outcomes(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<OutcomeQuery>,
) -> ApiResult<web::Json<Outcomes>> {
    let q = query.into_inner();
    let (service_id, metric) = (q.service_id, q.metric);
    let table = measurements::outcomes(&state, q).await?;
    Ok(web::Json(Outcomes {
        service_id,
        metric,
        unit: metric.unit(),
        raw_values: metric.reported_raw(),
        table,
    }))
}
