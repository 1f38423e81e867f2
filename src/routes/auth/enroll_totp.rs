//! `POST /auth/totp/enroll`.
use actix_web::web;

use crate::api::auth::{TotpEnroll, TotpEnrollment};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::credentials;
use crate::state::AppState;

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
    let enrollment =
        credentials::enroll_totp(&state, &caller, body.into_inner().current_password).await?;
    Ok(web::Json(enrollment))
}
