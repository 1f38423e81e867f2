//! `POST /users/{id}/unlock`.
use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::db::types::UserId;
use crate::error::{ApiResult, Problem};
use crate::services::users;
use crate::state::AppState;

/// Clears the failed-login counters that lock this user's account.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn unlock_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<UserId>,
) -> ApiResult<HttpResponse> {
    users::unlock(&state, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
