//! `PATCH /users/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::api::users::{UpdateUser, User};
use crate::auth::Caller;
use crate::db::types::UserId;
use crate::error::{ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::services::users;
use crate::state::AppState;

/// Changes a user (JSON Merge Patch). Deactivating ends every session at once.
/// A patient login stays a patient login: its role cannot change.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    request_body = UpdateUser,
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<UserId>,
    body: Json<UpdateUser>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let expected = if_match_version(&req)?;
    let row = users::update(&state, &caller, id, expected, body.into_inner()).await?;
    let version = row.version;
    Ok(super::user_response(
        StatusCode::OK,
        User::from(row),
        version,
    ))
}
