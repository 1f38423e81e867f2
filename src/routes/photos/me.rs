//! `/me/photos`: the patient's own photos. The patient id comes from the session,
//! never from the request; another patient's photo id answers like an unknown one.
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::api::pagination::Page;
use crate::api::photos::MyPhoto;
use crate::auth::Me;
use crate::db::types::PhotoId;
use crate::error::{ApiResult, Problem};
use crate::services::photos;
use crate::state::AppState;

use super::SizeQuery;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MyPhotosQuery {
    /// Page size: default 50, larger values are clamped to 200.
    #[serde(default, deserialize_with = "crate::api::pagination::lenient_limit")]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    #[serde(default, deserialize_with = "crate::api::pagination::optional_cursor")]
    pub cursor: Option<String>,
}

/// My photos, newest first; who took each is shown by name.
#[utoipa::path(get, path = "/api/v1/me/photos", tag = "me", params(MyPhotosQuery),
    responses((status = 200, body = Page<MyPhoto>)))]
pub async fn my_photos(
    state: web::Data<AppState>,
    who: Me,
    query: web::Query<MyPhotosQuery>,
) -> ApiResult<web::Json<Page<MyPhoto>>> {
    let q = query.into_inner();
    let (rows, next_cursor) = photos::mine(&state, &who, q.limit, q.cursor.as_deref()).await?;
    let items = rows
        .into_iter()
        .map(|(row, name)| MyPhoto::from_row(row, name))
        .collect();
    Ok(web::Json(Page { items, next_cursor }))
}

/// One of my photos (`?size=thumb` for its thumbnail).
#[utoipa::path(get, path = "/api/v1/me/photos/{id}", tag = "me", params(("id" = String, Path), SizeQuery),
    responses((status = 200, description = "The image bytes", content(("image/jpeg"), ("image/png"))),
        (status = 404, body = Problem)))]
pub async fn my_photo(
    state: web::Data<AppState>,
    who: Me,
    id: web::Path<PhotoId>,
    query: web::Query<SizeQuery>,
) -> ApiResult<HttpResponse> {
    let row = photos::one_of_mine(&state, &who, id.into_inner()).await?;
    let opened = photos::open(&state, &who.caller, row, query.size.unwrap_or_default()).await?;
    Ok(super::serve(opened))
}
