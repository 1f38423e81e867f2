//! `GET /practitioners/{id}/time-off`.
use actix_web::web;

use crate::api::clinic::TimeOff;
use crate::api::clinic::TimeOffList;
use crate::auth::Caller;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::services::clinic;
use crate::state::AppState;

/// A practitioner's time off, from 30 days ago on.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}/time-off", tag = "clinic", params(("id" = String, Path)),
    responses((status = 200, body = TimeOffList), (status = 404, body = Problem)))]
pub async fn list_time_off(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<web::Json<TimeOffList>> {
    let rows = clinic::list_time_off(&state, id.into_inner()).await?;
    Ok(web::Json(TimeOffList {
        items: rows.into_iter().map(TimeOff::from).collect(),
    }))
}
