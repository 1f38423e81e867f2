//! `GET /me/photos`.
use actix_web::web;

use crate::api::pagination::Page;
use crate::api::photos::MyPhoto;
use crate::api::photos::MyPhotosQuery;
use crate::auth::Me;
use crate::error::ApiResult;
use crate::services::photos;
use crate::state::AppState;

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
