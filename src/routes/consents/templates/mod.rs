//! `GET/POST /consent-templates`, `GET /consent-templates/{id}`, `POST /consent-templates/{id}/versions`.
pub mod create;
pub mod create_version;
pub mod get;
pub mod list;

use actix_web::http::header;
use actix_web::HttpResponse;

use crate::api::consents::ConsentTemplate;
use crate::error::ApiError;

fn created<R>(row: R) -> Result<HttpResponse, ApiError>
where
    ConsentTemplate: From<R>,
{
    let row = ConsentTemplate::from(row);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/consent-templates/{}", row.id),
        ))
        .json(row))
}
