//! `/users` (admin): staff and patient logins.
pub mod create;
pub mod get;
pub mod list;
pub mod remove_totp;
pub mod unlock;
pub mod update;

use actix_web::HttpResponse;

use crate::api::users::User;

/// 200 with the user and its `ETag`.
pub fn user_response(
    status: actix_web::http::StatusCode,
    user: User,
    version: i64,
) -> HttpResponse {
    super::versioned(status, version, user)
}
