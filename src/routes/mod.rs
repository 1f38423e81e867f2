//! The route table: every path, in one place.
pub mod audit;
pub mod auth;
pub mod health;
pub mod openapi;
pub mod patients;
pub mod users;

use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::ApiError;

/// Mounts every API route under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/openapi.json", web::get().to(openapi::openapi_json))
            .route("/auth/login", web::post().to(auth::login::login))
            .route("/auth/logout", web::post().to(auth::logout::logout))
            .route("/auth/me", web::get().to(auth::me::me))
            .route(
                "/auth/password",
                web::post().to(auth::password::change_password),
            )
            .route(
                "/auth/totp/enroll",
                web::post().to(auth::enroll_totp::enroll_totp),
            )
            .route(
                "/auth/totp/confirm",
                web::post().to(auth::confirm_totp::confirm_totp),
            )
            .service(
                web::resource("/users")
                    .get(users::list::list_users)
                    .post(users::create::create_user),
            )
            .service(
                web::resource("/users/{id}")
                    .get(users::get::get_user)
                    .patch(users::update::update_user),
            )
            .route(
                "/users/{id}/totp",
                web::delete().to(users::remove_totp::remove_totp),
            )
            .route(
                "/users/{id}/unlock",
                web::post().to(users::unlock::unlock_user),
            )
            .service(
                web::resource("/patients")
                    .get(patients::search::search_patients)
                    .post(patients::create::create_patient),
            )
            .service(
                web::resource("/patients/{id}")
                    .get(patients::get::get_patient)
                    .patch(patients::update::update_patient)
                    .delete(patients::archive::archive_patient),
            )
            .route("/audit", web::get().to(audit::list::list_audit))
            .route("/audit/verify", web::get().to(audit::verify::verify_audit)),
    );
}

/// Anything no route matched: a problem for API paths; the web UI's `index.html`
/// for a browser asking for a page (deep links), when the UI is built.
pub async fn fallback(req: HttpRequest, ui: web::Data<crate::startup::UiFiles>) -> HttpResponse {
    use actix_web::ResponseError;
    let wants_html = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !req.path().starts_with("/api/")
        && req.method() == actix_web::http::Method::GET
        && wants_html
    {
        if let Some(index) = ui.index_html() {
            return HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(index);
        }
    }
    ApiError::NotFound.error_response()
}
