//! `POST /services`.
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::api::clinic::{CreateService, Service};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::services::clinic;
use crate::state::AppState;

use super::with_etag;

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
