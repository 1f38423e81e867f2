//! `POST /auth/set-password`: redeems an emailed link (portal set-up or reset).
use actix_web::{web, HttpResponse};

use crate::api::auth::SetPassword;
use crate::auth::RequestContext;
use crate::error::{ApiResult, Problem};
use crate::extract::Json;
use crate::services::credentials;
use crate::state::AppState;

/// Sets a password with a single-use token; every session of the user ends.
#[utoipa::path(post, path = "/api/v1/auth/set-password", tag = "auth", request_body = SetPassword,
    security(()), responses((status = 204), (status = 422, body = Problem)))]
pub async fn set_password(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: Json<SetPassword>,
) -> ApiResult<HttpResponse> {
    credentials::set_password(&state, &ctx, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
