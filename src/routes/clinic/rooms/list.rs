//! `GET /rooms`.
use actix_web::web;

use crate::api::clinic::Room;
use crate::api::clinic::RoomList;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::services::clinic;
use crate::state::AppState;

/// Every treatment room.
#[utoipa::path(get, path = "/api/v1/rooms", tag = "clinic", responses((status = 200, body = RoomList)))]
pub async fn list_rooms(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<RoomList>> {
    let rows = clinic::list_rooms(&state).await?;
    Ok(web::Json(RoomList {
        items: rows.into_iter().map(Room::from).collect(),
    }))
}
