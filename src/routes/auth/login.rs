//! `POST /auth/login`.
use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::{web, HttpResponse};
use chrono::Utc;

use crate::api::auth::{LoginRequest, LoginResponse, SessionKind};
use crate::api::users::User;
use crate::audit::AuditAction;
use crate::auth::session::{self, COOKIE_NAME};
use crate::auth::{throttle, totp, RequestContext};
use crate::db::models::users;
use crate::error::{ApiError, ApiResult, Problem};
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
    let body = body.into_inner();
    let email = body.email.clone();
    let peer = ctx.ip.clone();
    let settings = state.settings.clone();

    // Nobody's email is this long; answer like any other failure (and keep the
    // throttle key bounded).
    if email.chars().count() > 254 {
        return Err(ApiError::Unauthorized);
    }

    let (verdict, user) = {
        let settings = settings.clone();
        let (email, peer) = (email.clone(), peer.clone());
        state
            .db(move |conn| {
                let verdict = throttle::check_and_charge(conn, &settings, &email, &peer)?;
                let user = users::find_by_email(conn, &email)?;
                Ok((verdict, user))
            })
            .await?
    };
    let charge = match verdict {
        Ok(charge) => charge,
        Err(retry_after_secs) => {
            state
                .audit
                .record(ctx.anonymous_event(AuditAction::LoginFailed, "session"))
                .await?;
            return Err(ApiError::TooManyRequests { retry_after_secs });
        }
    };

    let usable = user.as_ref().filter(|u| u.active);
    let password_ok = state
        .hasher
        .verify(
            body.password.clone(),
            usable.map(|u| u.password_hash.clone()),
        )
        .await?;

    // The attempt was charged as a failure before the password check; a failure
    // only needs auditing.
    let failure = |totp: bool| {
        let state = state.clone();
        let mut event = ctx.anonymous_event(AuditAction::LoginFailed, "session");
        event.actor_id = user.as_ref().map(|u| u.id);
        async move {
            state.audit.record(event).await?;
            Err::<HttpResponse, ApiError>(if totp {
                ApiError::TotpRequired
            } else {
                ApiError::Unauthorized
            })
        }
    };

    let Some(user) = usable.filter(|_| password_ok).cloned() else {
        return failure(false).await;
    };

    if user.totp_confirmed {
        let secret = user.totp_secret.clone().unwrap_or_default();
        let step = body.totp_code.as_deref().and_then(|code| {
            let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
            totp::matching_step(&secret, &user.email, code, now)
        });
        let Some(step) = step else {
            return failure(true).await;
        };
        let id = user.id;
        let fresh = state
            .db(move |conn| Ok(users::claim_totp_step(conn, id, step)?))
            .await?;
        if !fresh {
            // A replayed code counts as a failure.
            return failure(true).await;
        }
    }

    {
        let settings = settings.clone();
        let (email, peer) = (email.clone(), peer.clone());
        state
            .db(move |conn| Ok(throttle::refund(conn, &settings, &email, &peer, charge)?))
            .await?;
    }

    let via_cookie = body.session == SessionKind::Cookie;
    let user_id = user.id;
    let issued = {
        let settings = settings.clone();
        state
            .db(move |conn| Ok(session::issue(conn, &settings, user_id, via_cookie)?))
            .await?
    };
    let mut event = ctx.anonymous_event(AuditAction::LoginSucceeded, "session");
    event.actor_id = Some(user.id);
    event.actor_role = Some(user.role);
    event.entity_id = Some(issued.id.to_string());
    event.patient_id = user.patient_id;
    state.audit.record(event).await?;

    let mut response = HttpResponse::Ok();
    let token = if via_cookie {
        let max_age = settings.session_absolute().num_seconds();
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
        user: User::from(user),
    }))
}
