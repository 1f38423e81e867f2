//! `POST /samples/{id}/events`.
use actix_web::web;

use crate::api::samples::{CreateSampleEvent, Sample};
use crate::auth::Caller;
use crate::db::types::SampleId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::samples;
use crate::state::AppState;

/// Records a custody event: `processed → stored* → applied`, or `discarded`. Applying
/// goes only to the donor (409 otherwise), within the viability window, while the
/// procedure's appointment is in progress.
#[utoipa::path(post, path = "/api/v1/samples/{id}/events", tag = "clinical", params(("id" = String, Path)),
    request_body = CreateSampleEvent,
    responses((status = 200, body = Sample), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_sample_event(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SampleId>,
    body: Json<CreateSampleEvent>,
) -> ApiResult<web::Json<Sample>> {
    Ok(web::Json(
        samples::record_event(&state, &caller, id.into_inner(), body.into_inner()).await?,
    ))
}
