//! `GET /locations`.
use actix_web::web;

use crate::api::clinic::Location;
use crate::api::clinic::LocationList;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::services::clinic;
use crate::state::AppState;

/// The clinic's sites.
#[utoipa::path(get, path = "/api/v1/locations", tag = "clinic", responses((status = 200, body = LocationList)))]
pub async fn list_locations(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<LocationList>> {
    let rows = clinic::list_locations(&state).await?;
    Ok(web::Json(LocationList {
        items: rows.into_iter().map(Location::from).collect(),
    }))
}
