//! `GET /patients/{id}/photos`: a patient's photos, newest first.
use actix_web::web;
use serde::Deserialize;

use crate::api::pagination::{self, Page, TimeCursor};
use crate::api::photos::Photo;
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients;
use crate::db::models::photos::{self, PhotoFilter, PhotoRow};
use crate::db::types::{PatientId, PhotoId};
use crate::domain::photo::{PhotoKind, PhotoView};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PhotoListQuery {
    #[param(inline)]
    pub view: Option<PhotoView>,
    #[param(inline)]
    pub kind: Option<PhotoKind>,
    /// Page size: default 50, larger values are clamped to 200.
    #[serde(default, deserialize_with = "crate::api::pagination::lenient_limit")]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    #[serde(default, deserialize_with = "crate::api::pagination::optional_cursor")]
    pub cursor: Option<String>,
}

/// One page of a patient's photos, newest first by `taken_at`, with the
/// cursor of the next (shared by the staff list and `/me/photos`).
pub(super) async fn page_of_photos(
    state: &AppState,
    patient: PatientId,
    filter: PhotoFilter,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Result<(Vec<PhotoRow>, Option<String>), ApiError> {
    let limit = pagination::limit(limit)?;
    let after = TimeCursor::decode(cursor)?.map(|c| (c.t, PhotoId(c.id)));
    let rows = state
        .db(move |conn| {
            patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            Ok(photos::list(conn, patient, &filter, after, limit + 1)?)
        })
        .await?;
    let (rows, more) = pagination::split_page(rows, limit);
    let next_cursor = more
        .then(|| {
            rows.last().map(|r| {
                TimeCursor {
                    t: r.taken_at,
                    id: r.id.0,
                }
                .encode()
            })
        })
        .flatten();
    Ok((rows, next_cursor))
}

/// The patient's photos (metadata), newest first; `?view=` and `?kind=` narrow it.
#[utoipa::path(get, path = "/api/v1/patients/{id}/photos", tag = "outcomes", params(("id" = String, Path), PhotoListQuery),
    responses((status = 200, body = Page<Photo>), (status = 404, body = Problem)))]
pub async fn list_photos(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    query: web::Query<PhotoListQuery>,
) -> ApiResult<web::Json<Page<Photo>>> {
    let patient = id.into_inner();
    let q = query.into_inner();
    let filter = PhotoFilter {
        view: q.view.map(PhotoView::as_str),
        kind: q.kind.map(PhotoKind::as_str),
    };
    let (rows, next_cursor) =
        page_of_photos(&state, patient, filter, q.limit, q.cursor.as_deref()).await?;
    state
        .audit
        .record(caller.event(AuditAction::Read, "photo", None, Some(patient)))
        .await?;
    Ok(web::Json(Page {
        items: rows.into_iter().map(Photo::from).collect(),
        next_cursor,
    }))
}
