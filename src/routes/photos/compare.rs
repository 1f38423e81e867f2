//! `GET /patients/{id}/photos/compare`: a before and an after photo of one view.
use actix_web::web;

use crate::api::photos::CompareQuery;
use crate::api::photos::{Photo, PhotoComparison};
use crate::auth::Caller;
use crate::db::types::PatientId;
use crate::error::{ApiResult, Problem};
use crate::services::photos;
use crate::state::AppState;

/// Pairs two photos of the same view: the ones named, or the latest before/after
/// pair of `view`. Photos of another patient are unknown ids here (422), different
/// views are refused (422), and no pair at all is 404.
#[utoipa::path(get, path = "/api/v1/patients/{id}/photos/compare", tag = "outcomes", params(("id" = String, Path), CompareQuery),
    responses((status = 200, body = PhotoComparison), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn compare_photos(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    query: web::Query<CompareQuery>,
) -> ApiResult<web::Json<PhotoComparison>> {
    let q = query.into_inner();
    let pair = photos::compare(
        &state,
        &caller,
        id.into_inner(),
        photos::CompareRequest {
            view: q.view,
            before: q.before,
            after: q.after,
        },
    )
    .await?;
    Ok(web::Json(PhotoComparison {
        view: pair.view.as_str().to_owned(),
        before: Photo::from(pair.before),
        after: Photo::from(pair.after),
        interval_days: pair.interval_days,
    }))
}
