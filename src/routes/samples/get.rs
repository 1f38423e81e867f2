//! `GET /samples/{id}`.
use actix_web::web;

use crate::api::samples::Sample;
use crate::auth::Caller;
use crate::db::types::SampleId;
use crate::error::{ApiResult, Problem};
use crate::services::samples;
use crate::state::AppState;

/// A sample with its whole custody history.
#[utoipa::path(get, path = "/api/v1/samples/{id}", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = Sample), (status = 404, body = Problem)))]
pub async fn get_sample(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<SampleId>,
) -> ApiResult<web::Json<Sample>> {
    Ok(web::Json(
        samples::read(&state, &caller, id.into_inner()).await?,
    ))
}
