//! `POST /auth/totp/enroll`.
use actix_web::web;

use crate::api::auth::{TotpEnroll, TotpEnrollment};
use crate::auth::{totp, Caller};
use crate::db::models::users;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

use super::password::check_current_password;

/// Starts TOTP enrolment: a new secret, not required until confirmed.
#[utoipa::path(post, path = "/api/v1/auth/totp/enroll", tag = "auth", request_body = TotpEnroll,
    responses((status = 200, body = TotpEnrollment), (status = 409, body = Problem),
        (status = 422, body = Problem),
        (status = 429, body = Problem, description = "Too many wrong current passwords")))]
pub async fn enroll_totp(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<TotpEnroll>,
) -> ApiResult<web::Json<TotpEnrollment>> {
    let user = check_current_password(&state, &caller, body.into_inner().current_password).await?;
    if user.totp_confirmed {
        return Err(ApiError::Conflict(
            "A second factor is already set up; an admin must remove it first.".into(),
        ));
    }
    let (secret, uri) = totp::new_secret(&user.email).map_err(ApiError::internal)?;
    let (id, stored) = (user.id, secret.clone());
    state
        .db(move |conn| Ok(users::set_totp(conn, id, Some(&stored), false)?))
        .await?;
    Ok(web::Json(TotpEnrollment {
        secret_base32: secret,
        otpauth_uri: uri,
    }))
}
