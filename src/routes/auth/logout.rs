//! `POST /auth/logout`.
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{web, HttpResponse};

use crate::auth::session::COOKIE_NAME;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::services::sign_in;
use crate::state::AppState;

/// Ends this session (the token stops working at once).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    sign_in::logout(&state, &caller).await?;
    let mut response = HttpResponse::NoContent();
    if caller.via_cookie {
        let mut gone = Cookie::build(COOKIE_NAME, "")
            .http_only(true)
            .secure(true)
            .same_site(SameSite::Strict)
            .path("/")
            .finish();
        gone.make_removal();
        response.cookie(gone);
    }
    Ok(response.finish())
}
