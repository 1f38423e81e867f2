//! `GET /patients/{id}/photos`: a patient's photos, newest first.
use actix_web::web;

use crate::api::pagination::Page;
use crate::api::photos::Photo;
use crate::api::photos::PhotoListQuery;
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::photos;
use crate::state::AppState;

/// The patient's photos (metadata), newest first; `?view=` and `?kind=` narrow it.
#[utoipa::path(get, path = "/api/v1/patients/{id}/photos", tag = "outcomes", params(("id" = String, Path), PhotoListQuery),
    responses((status = 200, body = Page<Photo>), (status = 404, body = Problem)))]
pub async fn list_photos(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    query: web::Query<PhotoListQuery>,
) -> ApiResult<web::Json<Page<Photo>>> {
    let q = query.into_inner();
    let (rows, next_cursor) = photos::list(
        &state,
        &caller,
        id.into_inner(),
        q.view,
        q.kind,
        q.limit,
        q.cursor.as_deref(),
    )
    .await?;
    Ok(web::Json(Page {
        items: rows.into_iter().map(Photo::from).collect(),
        next_cursor,
    }))
}
