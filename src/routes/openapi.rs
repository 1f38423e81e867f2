//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the handlers.
use actix_web::HttpResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;
use crate::routes;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::session::COOKIE_NAME,
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "DermaChart API", description = "Appointment book and treatment record of an aesthetic-medicine clinic."),
    modifiers(&Security),
    security(("bearer" = []), ("cookie" = [])),
    paths(
        routes::auth::login::login,
        routes::auth::logout::logout,
        routes::auth::me::me,
        routes::auth::password::change_password,
        routes::auth::enroll_totp::enroll_totp,
        routes::auth::confirm_totp::confirm_totp,
        routes::users::list::list_users,
        routes::users::create::create_user,
        routes::users::get::get_user,
        routes::users::update::update_user,
        routes::users::remove_totp::remove_totp,
        routes::users::unlock::unlock_user,
        routes::patients::search::search_patients,
        routes::patients::create::create_patient,
        routes::patients::get::get_patient,
        routes::patients::update::update_patient,
        routes::patients::archive::archive_patient,
        routes::audit::list::list_audit,
        routes::audit::verify::verify_audit,
        openapi_doc,
    ),
    components(schemas(crate::error::Problem, crate::domain::FieldError, api::users::User, api::patients::Patient)),
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "OpenAPI 3.1 document")))]
#[allow(dead_code)]
fn openapi_doc() {}

pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
