//! `GET/POST /services`, `GET/PATCH /services/{id}`.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::clinic::{CreateService, Service, UpdateService};
use crate::auth::Caller;
use crate::db::types::ServiceId;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::services::clinic;
use crate::state::AppState;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ServiceList {
    pub items: Vec<Service>,
}

fn with_etag(status: actix_web::http::StatusCode, service: Service) -> HttpResponse {
    let version = service.version;
    crate::routes::versioned(status, version, service)
}

/// Every service.
#[utoipa::path(get, path = "/api/v1/services", tag = "clinic", responses((status = 200, body = ServiceList)))]
pub async fn list_services(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<ServiceList>> {
    let rows = clinic::list_services(&state).await?;
    Ok(web::Json(ServiceList {
        items: rows.into_iter().map(Service::from).collect(),
    }))
}

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

/// Adds a service.
#[utoipa::path(post, path = "/api/v1/services", tag = "clinic", request_body = CreateService,
    responses((status = 201, body = Service), (status = 422, body = Problem)))]
pub async fn create_service(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateService>,
) -> ApiResult<HttpResponse> {
    let row = clinic::create_service(&state, &caller, body.into_inner()).await?;
    let location = format!("/api/v1/services/{}", row.id);
    let mut response = with_etag(actix_web::http::StatusCode::CREATED, Service::from(row));
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}

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
