//! `GET /services`.
use actix_web::web;

use crate::api::clinic::Service;
use crate::api::clinic::ServiceList;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::services::clinic;
use crate::state::AppState;

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
