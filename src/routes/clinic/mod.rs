//! Clinic set-up: admin writes, staff read (patients may list locations, practitioners and services).
pub mod info;
pub mod locations;
pub mod practitioners;
pub mod rooms;
pub mod services;
pub mod time_off;
pub mod working_hours;

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

use crate::error::ApiError;

/// 201 with the resource and its `Location`.
pub fn created(location: String, body: impl serde::Serialize) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((header::LOCATION, location))
        .json(body))
}
