//! `PATCH /services/{id}`.
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::clinic::{Service, UpdateService};
use crate::auth::Caller;
use crate::db::types::ServiceId;
use crate::error::{ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::services::clinic;
use crate::state::AppState;

use super::with_etag;

/// Changes a service (JSON Merge Patch; `If-Match`). Booked appointments keep their times.
#[utoipa::path(patch, path = "/api/v1/services/{id}", tag = "clinic", params(("id" = String, Path)),
    request_body = UpdateService,
    responses((status = 200, body = Service), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_service(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<ServiceId>,
    body: Json<UpdateService>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let expected = if_match_version(&req)?;
    let row = clinic::update_service(&state, &caller, id, expected, body.into_inner()).await?;
    Ok(with_etag(
        actix_web::http::StatusCode::OK,
        Service::from(row),
    ))
}
