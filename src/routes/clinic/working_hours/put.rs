//! `PUT /practitioners/{id}/working-hours`.
use actix_web::web;

use crate::api::clinic::WorkingHours;
use crate::auth::Caller;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
use crate::state::AppState;

/// Replaces the weekly hours (in the clinic's time zone). Refused (409) if an open
/// appointment would fall outside them.
#[utoipa::path(put, path = "/api/v1/practitioners/{id}/working-hours", tag = "clinic", params(("id" = String, Path)),
    request_body = Vec<WorkingHours>,
    responses((status = 200, body = Vec<WorkingHours>), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn put_working_hours(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PractitionerId>,
    body: Json<Vec<WorkingHours>>,
) -> ApiResult<web::Json<Vec<WorkingHours>>> {
    let id = id.into_inner();
    let parsed = WorkingHours::parse_all(&body.into_inner())?;
    let rows = clinic::replace_working_hours(&state, &caller, id, parsed).await?;
    Ok(web::Json(rows.iter().map(WorkingHours::from_row).collect()))
}
