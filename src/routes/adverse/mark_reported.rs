//! `POST /adverse-events/{id}/reported`.
use actix_web::web;

use crate::api::adverse::{AdverseEvent, MarkReported};
use crate::auth::Caller;
use crate::db::types::AdverseEventId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::adverse;
use crate::state::AppState;

/// Marks a serious event as reported to the regulator.
#[utoipa::path(post, path = "/api/v1/adverse-events/{id}/reported", tag = "clinical", params(("id" = String, Path)),
    request_body = MarkReported,
    responses((status = 200, body = AdverseEvent), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn mark_reported(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AdverseEventId>,
    body: Json<MarkReported>,
) -> ApiResult<web::Json<AdverseEvent>> {
    let row = adverse::mark_reported(&state, &caller, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(AdverseEvent::from(row)))
}
