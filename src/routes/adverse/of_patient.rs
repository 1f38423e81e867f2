//! `GET /patients/{id}/adverse-events`.
use actix_web::web;

use crate::api::adverse::{AdverseEvent, AdverseEventList};
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::adverse;
use crate::state::AppState;

/// A patient's adverse events, newest first.
#[utoipa::path(get, path = "/api/v1/patients/{id}/adverse-events", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = AdverseEventList), (status = 404, body = Problem)))]
pub async fn list_adverse_events(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<web::Json<AdverseEventList>> {
    let rows = adverse::of_patient(&state, &caller, id.into_inner()).await?;
    Ok(web::Json(AdverseEventList {
        items: rows.into_iter().map(AdverseEvent::from).collect(),
        next_cursor: None,
    }))
}
