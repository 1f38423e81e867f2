//! `DELETE /users/{id}/totp`.
use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::db::types::UserId;
use crate::error::{ApiResult, Problem};
use crate::services::users;
use crate::state::AppState;

/// Removes a user's second factor (lost phone) and ends their sessions.
/// 404 (and nothing changes) when the user has no factor, enrolled or pending.
#[utoipa::path(delete, path = "/api/v1/users/{id}/totp", tag = "users", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, description = "No such user, or no second factor to remove")))]
pub async fn remove_totp(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
) -> ApiResult<HttpResponse> {
    users::remove_totp(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
