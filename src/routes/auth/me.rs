//! `GET /auth/me`.
use actix_web::web;

use crate::api::users::User;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::services::sign_in;
use crate::state::AppState;

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = User), (status = 401, body = Problem)))]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<User>> {
    let user = sign_in::current_user(&state, &caller).await?;
    Ok(web::Json(User::from(user)))
}
