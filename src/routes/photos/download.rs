//! `GET /photos/{id}`: a photo's bytes, for clinicians, admin, and its own patient.
use actix_web::{web, HttpResponse};

use crate::api::photos::SizeQuery;
use crate::auth::Caller;
use crate::db::types::PhotoId;
use crate::error::{ApiResult, Problem};
use crate::services::photos;
use crate::state::AppState;

/// The stored photo (re-encoded, no metadata) or, with `?size=thumb`, its thumbnail.
/// A patient may fetch their own photos here; any other id answers 404.
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "outcomes", params(("id" = String, Path), SizeQuery),
    responses((status = 200, description = "The image bytes", content(("image/jpeg"), ("image/png"))),
        (status = 404, body = Problem)))]
pub async fn get_photo(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PhotoId>,
    query: web::Query<SizeQuery>,
) -> ApiResult<HttpResponse> {
    let row = photos::visible(&state, &caller, id.into_inner()).await?;
    let opened = photos::open(&state, &caller, row, query.size.unwrap_or_default()).await?;
    Ok(super::serve(opened))
}
