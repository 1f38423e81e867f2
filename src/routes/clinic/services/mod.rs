//! `GET/POST /services`, `GET/PATCH /services/{id}`.
pub mod create;
pub mod get;
pub mod list;
pub mod update;

use actix_web::HttpResponse;

use crate::api::clinic::Service;

fn with_etag(status: actix_web::http::StatusCode, service: Service) -> HttpResponse {
    let version = service.version;
    crate::routes::versioned(status, version, service)
}
