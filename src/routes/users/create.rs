//! `POST /users`.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use crate::api::users::{CreateUser, User};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::services::users;
use crate::state::AppState;

/// Creates a user (the password policy applies).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = User), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    let row = users::create(&state, &caller, body.into_inner()).await?;
    let location = format!("/api/v1/users/{}", row.id);
    let version = row.version;
    let mut response = super::user_response(StatusCode::CREATED, User::from(row), version);
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}
