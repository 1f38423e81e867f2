//! `GET /me/photos/{id}`.
use actix_web::{web, HttpResponse};

use crate::api::photos::SizeQuery;
use crate::auth::Me;
use crate::db::types::PhotoId;
use crate::error::{ApiResult, Problem};
use crate::services::photos;
use crate::state::AppState;

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
