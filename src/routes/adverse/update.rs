//! `PATCH /adverse-events/{id}`.
use actix_web::web;

use crate::api::adverse::{AdverseEvent, UpdateAdverseEvent};
use crate::auth::Caller;
use crate::db::types::AdverseEventId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::adverse;
use crate::state::AppState;

/// Updates resolution, severity or action taken; an upgrade to `serious` starts the
/// 15-day reporting clock from now.
#[utoipa::path(patch, path = "/api/v1/adverse-events/{id}", tag = "clinical", params(("id" = String, Path)),
    request_body = UpdateAdverseEvent,
    responses((status = 200, body = AdverseEvent), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_adverse_event(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AdverseEventId>,
    body: Json<UpdateAdverseEvent>,
) -> ApiResult<web::Json<AdverseEvent>> {
    let row = adverse::update(&state, &caller, id.into_inner(), body.into_inner()).await?;
    Ok(web::Json(AdverseEvent::from(row)))
}
