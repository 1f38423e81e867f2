//! `GET/POST /locations`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateLocation, Location};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::clinic::{self, LocationRow};
use crate::db::types::LocationId;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LocationList {
    pub items: Vec<Location>,
}

/// The clinic's sites.
#[utoipa::path(get, path = "/api/v1/locations", tag = "clinic", responses((status = 200, body = LocationList)))]
pub async fn list_locations(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<LocationList>> {
    let rows = state.db(|conn| Ok(clinic::list_locations(conn)?)).await?;
    Ok(web::Json(LocationList {
        items: rows.into_iter().map(Location::from).collect(),
    }))
}

/// Adds a site.
#[utoipa::path(post, path = "/api/v1/locations", tag = "clinic", request_body = CreateLocation,
    responses((status = 201, body = Location), (status = 422, body = Problem)))]
pub async fn create_location(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateLocation>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let row = LocationRow {
        id: LocationId::new(),
        name: super::required_name("name", &body.name, 200)?,
        address: body
            .address
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty()),
        created_at: crate::db::now(),
    };
    let stored = row.clone();
    let event = caller.event(
        AuditAction::Create,
        "location",
        Some(row.id.to_string()),
        None,
    );
    state
        .write(move |conn, audit| {
            clinic::insert_location(conn, &stored)?;
            audit.push(event);
            Ok(())
        })
        .await?;
    super::created(format!("/api/v1/locations/{}", row.id), Location::from(row))
}
