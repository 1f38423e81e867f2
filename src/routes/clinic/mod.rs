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

/// Trims a required name and checks its length.
pub fn required_name(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(ApiError::validation(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(v.to_owned())
}
