//! `GET /services/{id}`.
use actix_web::{web, HttpResponse};

use crate::api::clinic::Service;
use crate::auth::Caller;
use crate::db::types::ServiceId;
use crate::error::{ApiResult, Problem};
use crate::services::clinic;
use crate::state::AppState;

use super::with_etag;

/// One service.
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "clinic", params(("id" = String, Path)),
    responses((status = 200, body = Service), (status = 404, body = Problem)))]
pub async fn get_service(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<ServiceId>,
) -> ApiResult<HttpResponse> {
    let row = clinic::get_service(&state, id.into_inner()).await?;
    Ok(with_etag(
        actix_web::http::StatusCode::OK,
        Service::from(row),
    ))
}
