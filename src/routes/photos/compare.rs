//! `GET /patients/{id}/photos/compare`: a before and an after photo of one view.
use actix_web::web;
use serde::Deserialize;

use crate::api::photos::{Photo, PhotoComparison};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients;
use crate::db::models::photos::{self, PhotoRow};
use crate::db::types::{PatientId, PhotoId};
use crate::db::DbConnection;
use crate::domain::photo::{comparison_interval, ComparisonProblem, PhotoKind, PhotoView};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    /// Required unless both `before` and `after` are given.
    #[param(inline)]
    pub view: Option<PhotoView>,
    /// A photo id of this patient; default: the latest `before` photo of the view
    /// taken no later than the `after` photo.
    pub before: Option<PhotoId>,
    /// A photo id of this patient; default: the latest `after` or `follow_up` photo of the view.
    pub after: Option<PhotoId>,
}

fn stored_view(row: &PhotoRow) -> Result<PhotoView, ApiError> {
    PhotoView::parse(&row.view)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("photo {} has an unknown view", row.id)))
}

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
    let patient = id.into_inner();
    let q = query.into_inner();
    if q.view.is_none() && (q.before.is_none() || q.after.is_none()) {
        return Err(ApiError::validation(
            "view",
            "is required unless both before and after are given",
        ));
    }
    let (before, after) = state
        .db(move |conn| {
            patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            let named = |conn: &mut DbConnection, field: &'static str, id: PhotoId| {
                photos::find(conn, id)?
                    .filter(|p| p.patient_id == patient)
                    .ok_or_else(|| ApiError::validation(field, "is not a photo of this patient"))
            };
            let view = q.view.map(PhotoView::as_str);
            let after_kinds = PhotoKind::AFTER_SIDE.map(PhotoKind::as_str);
            let after = match (q.after, view) {
                (Some(id), _) => named(conn, "after", id)?,
                (None, Some(view)) => {
                    photos::latest_of_view(conn, patient, view, &after_kinds, None)?
                        .ok_or(ApiError::NotFound)?
                }
                (None, None) => return Err(ApiError::validation("view", "is required")),
            };
            let before = match q.before {
                Some(id) => named(conn, "before", id)?,
                None => photos::latest_of_view(
                    conn,
                    patient,
                    &after.view,
                    &[PhotoKind::Before.as_str()],
                    Some(after.taken_at),
                )?
                .ok_or(ApiError::NotFound)?,
            };
            Ok((before, after))
        })
        .await?;
    let view = stored_view(&before)?;
    let interval_days = comparison_interval(
        q.view,
        (view, before.taken_at),
        (stored_view(&after)?, after.taken_at),
    )
    .map_err(|problem| match problem {
        ComparisonProblem::DifferentViews => {
            ApiError::validation("after", "shows another view than before")
        }
        ComparisonProblem::NotThisView => {
            ApiError::validation("view", "is not the view of these photos")
        }
        ComparisonProblem::AfterPrecedesBefore => {
            ApiError::validation("after", "was taken before the before photo")
        }
    })?;
    state
        .audit
        .record(caller.event(AuditAction::Read, "photo", None, Some(patient)))
        .await?;
    Ok(web::Json(PhotoComparison {
        view: view.as_str().to_owned(),
        before: Photo::from(before),
        after: Photo::from(after),
        interval_days,
    }))
}
