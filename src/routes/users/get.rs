//! `GET /users/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use crate::api::users::User;
use crate::auth::Caller;
use crate::db::types::UserId;
use crate::error::{ApiResult, Problem};
use crate::services::users;
use crate::state::AppState;

/// One user, with its `ETag`.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem)))]
pub async fn get_user(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<UserId>,
) -> ApiResult<HttpResponse> {
    let row = users::get(&state, id.into_inner()).await?;
    let version = row.version;
    Ok(super::user_response(
        StatusCode::OK,
        User::from(row),
        version,
    ))
}
