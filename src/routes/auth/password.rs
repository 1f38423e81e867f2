//! `POST /auth/password`.
use actix_web::{web, HttpResponse};

use crate::api::auth::ChangePassword;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::credentials;
use crate::state::AppState;

/// Changes one's own password; every other session of the user ends.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePassword,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem, description = "Too many wrong current passwords")))]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<ChangePassword>,
) -> ApiResult<HttpResponse> {
    credentials::change_password(&state, &caller, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
