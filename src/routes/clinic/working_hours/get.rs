//! `GET /practitioners/{id}/working-hours`.
use actix_web::web;

use crate::api::clinic::WorkingHours;
use crate::auth::Caller;
use crate::db::types::PractitionerId;
use crate::error::{ApiResult, Problem};
use crate::services::clinic;
use crate::state::AppState;

/// A practitioner's weekly hours.
#[utoipa::path(get, path = "/api/v1/practitioners/{id}/working-hours", tag = "clinic", params(("id" = String, Path)),
    responses((status = 200, body = Vec<WorkingHours>), (status = 404, body = Problem)))]
pub async fn get_working_hours(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<PractitionerId>,
) -> ApiResult<web::Json<Vec<WorkingHours>>> {
    let rows = clinic::working_hours(&state, id.into_inner()).await?;
    Ok(web::Json(rows.iter().map(WorkingHours::from_row).collect()))
}
