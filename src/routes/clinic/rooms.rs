//! `GET/POST /rooms`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateRoom, Room};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::clinic::{self, RoomRow};
use crate::db::types::RoomId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RoomList {
    pub items: Vec<Room>,
}

/// Every treatment room.
#[utoipa::path(get, path = "/api/v1/rooms", tag = "clinic", responses((status = 200, body = RoomList)))]
pub async fn list_rooms(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<RoomList>> {
    let rows = state.db(|conn| Ok(clinic::list_rooms(conn)?)).await?;
    Ok(web::Json(RoomList {
        items: rows.into_iter().map(Room::from).collect(),
    }))
}

/// Adds a room at a location.
#[utoipa::path(post, path = "/api/v1/rooms", tag = "clinic", request_body = CreateRoom,
    responses((status = 201, body = Room), (status = 422, body = Problem)))]
pub async fn create_room(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateRoom>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let row = RoomRow {
        id: RoomId::new(),
        location_id: body.location_id,
        name: super::required_name("name", &body.name, 200)?,
        created_at: crate::db::now(),
    };
    let stored = row.clone();
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            if clinic::find_location(conn, stored.location_id)?.is_none() {
                return Err(ApiError::validation("location_id", "no such location"));
            }
            Ok::<_, ApiError>(clinic::insert_room(conn, &stored)?)?;
            audit.push(who.event(AuditAction::Create, "room", Some(row.id.to_string()), None));
            Ok(())
        })
        .await?;
    super::created(format!("/api/v1/rooms/{}", row.id), Room::from(row))
}
