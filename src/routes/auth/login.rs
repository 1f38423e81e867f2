//! `POST /auth/login`.
use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::{web, HttpResponse};

use crate::api::auth::{LoginRequest, LoginResponse};
use crate::api::users::User;
use crate::auth::session::COOKIE_NAME;
use crate::auth::RequestContext;
use crate::error::{ApiResult, Problem};
use crate::services::sign_in;
use crate::state::AppState;

/// Signs in. Unknown email and wrong password answer alike (and cost alike);
/// repeated failures are throttled before any password is checked.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = Problem, description = "Bad credentials, or type ending in totp-required"),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: crate::extract::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let signed_in = sign_in::login(&state, &ctx, body.into_inner()).await?;
    let issued = signed_in.session;
    let mut response = HttpResponse::Ok();
    let token = if signed_in.via_cookie {
        let max_age = state.settings.session_absolute().num_seconds();
        response.cookie(
            Cookie::build(COOKIE_NAME, issued.token)
                .http_only(true)
                .secure(true)
                .same_site(SameSite::Strict)
                .path("/")
                .max_age(time::Duration::seconds(max_age))
                .finish(),
        );
        None
    } else {
        Some(issued.token)
    };
    Ok(response.json(LoginResponse {
        token,
        expires_at: issued.expires_at,
        user: User::from(signed_in.user),
    }))
}
