//! `POST /auth/password-reset`: emails a reset link when the account exists; the
//! answer is the same 202 either way, so it tells nobody whether an email is known.
use actix_web::{web, HttpResponse};

use crate::accounts;
use crate::api::auth::PasswordResetRequest;
use crate::audit::AuditAction;
use crate::auth::RequestContext;
use crate::db::models::users;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// Asks for a reset link (1 h, single use) to be emailed to an active login's address.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = PasswordResetRequest,
    security(()), responses((status = 202, description = "Accepted, whether or not the account exists"),
        (status = 422, body = Problem)))]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: Json<PasswordResetRequest>,
) -> ApiResult<HttpResponse> {
    let email = body.into_inner().email;
    // Nobody's email is this long; answer as for any unknown address.
    if email.chars().count() > 254 {
        return Ok(HttpResponse::Accepted().finish());
    }
    // A read decides whether there is work (an active login with reset links left this
    // hour), so a flood of unknown emails writes nothing; the writing then happens after
    // the answer, so its timing says nothing about whether the email has a login.
    let probe = email.clone();
    let worth_it = state
        .db(move |conn| {
            let Some(user) = users::find_by_email(conn, &probe)?.filter(|u| u.active) else {
                return Ok(false);
            };
            accounts::may_send_reset(conn, user.id, crate::db::now())
        })
        .await
        .unwrap_or(false);
    if !worth_it {
        return Ok(HttpResponse::Accepted().finish());
    }
    let state = state.into_inner();
    actix_web::rt::spawn(async move {
        if let Err(err) = issue_reset(&state, &ctx, email).await {
            tracing::warn!(error = %err, "password reset not issued");
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

async fn issue_reset(
    state: &AppState,
    ctx: &RequestContext,
    email: String,
) -> Result<(), ApiError> {
    let public_url = state.settings.public_url.clone();
    let ctx = ctx.clone();
    let issued = state
        .write(move |conn, audit| {
            let Some(user) = users::find_by_email(conn, &email)?.filter(|u| u.active) else {
                return Ok(false);
            };
            let now = crate::db::now();
            if accounts::issue_reset_link(conn, user.id, &user.email, &public_url, now)? {
                let mut event = ctx.anonymous_event(AuditAction::Create, "password_reset");
                event.entity_id = Some(user.id.to_string());
                event.patient_id = user.patient_id;
                audit.push(event);
                return Ok(true);
            }
            Ok(false)
        })
        .await?;
    if issued {
        // The email is queued (committed): the sender need not wait for its next poll.
        crate::outbox::wake();
    }
    Ok(())
}
