//! A login's own credentials: changing the password (the current one checked and
//! throttled), the emailed reset link and its redemption, and the second factor's
//! enrolment and confirmation.
use std::sync::Arc;

use chrono::Utc;

use crate::api::auth::{ChangePassword, SetPassword, TotpConfirm, TotpEnrollment};
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::{throttle, totp, Caller, RequestContext};
use crate::db::models::sessions;
use crate::db::models::users::{self, UserRow};
use crate::domain::password::check_new_password;
use crate::error::ApiError;
use crate::services::accounts;
use crate::state::AppState;

/// Checks the caller's current password (422 naming `current_password` if wrong; 429
/// after too many wrong ones: a stolen session must not become a password oracle).
pub async fn check_current_password(
    state: &AppState,
    caller: &Caller,
    password: String,
) -> Result<UserRow, ApiError> {
    let id = caller.user_id;
    let (user, verdict) = state
        .db(move |conn| Ok((users::find(conn, id)?, throttle::check_reauth(conn, id)?)))
        .await?;
    // A stolen session must not become an unlimited password oracle.
    if let Err(retry_after_secs) = verdict {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    let ok = state
        .hasher
        .verify(password, Some(user.password_hash.clone()))
        .await?;
    if ok {
        Ok(user)
    } else {
        state
            .write(move |conn, _| Ok(throttle::record_reauth_failure(conn, id)?))
            .await?;
        Err(ApiError::validation(
            "current_password",
            "is not your current password",
        ))
    }
}

/// Changes one's own password (the policy applies); every other session of the user ends.
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    body: ChangePassword,
) -> Result<(), ApiError> {
    if let Err(message) = check_new_password(&body.new_password) {
        return Err(ApiError::validation("new_password", message));
    }
    check_current_password(state, caller, body.current_password).await?;
    let hash = state.hasher.hash(body.new_password).await?;
    let (id, keep) = (caller.user_id, caller.session_id);
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            let now = crate::db::now();
            users::set_password_hash(conn, id, &hash, now)?;
            sessions::revoke_all_for_user(conn, id, Some(keep), now)?;
            audit.push(who.event(
                AuditAction::Update,
                "user_password",
                Some(id.to_string()),
                None,
            ));
            Ok(())
        })
        .await
}

/// Starts TOTP enrolment: a new secret, not required until confirmed (409 when a
/// second factor is already confirmed).
pub async fn enroll_totp(
    state: &AppState,
    caller: &Caller,
    current_password: String,
) -> Result<TotpEnrollment, ApiError> {
    let user = check_current_password(state, caller, current_password).await?;
    if user.totp_confirmed {
        return Err(ApiError::Conflict(
            "A second factor is already set up; an admin must remove it first.".into(),
        ));
    }
    let (secret, uri) = totp::new_secret(&user.email).map_err(ApiError::internal)?;
    let (id, stored) = (user.id, secret.clone());
    state
        .write(move |conn, _| Ok(users::set_totp(conn, id, Some(&stored), false)?))
        .await?;
    Ok(TotpEnrollment {
        secret_base32: secret,
        otpauth_uri: uri,
    })
}

/// Confirms enrolment with a code from the app; from then on login needs `totp_code`.
pub async fn confirm_totp(
    state: &AppState,
    caller: &Caller,
    body: TotpConfirm,
) -> Result<(), ApiError> {
    let user = check_current_password(state, caller, body.current_password).await?;
    if user.totp_confirmed {
        return Err(ApiError::Conflict(
            "A second factor is already confirmed.".into(),
        ));
    }
    let Some(secret) = user.totp_secret.clone() else {
        return Err(ApiError::Conflict(
            "Enrol first (POST /auth/totp/enroll).".into(),
        ));
    };
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let Some(step) = totp::matching_step(&secret, &user.email, &body.code, now) else {
        return Err(ApiError::validation("code", "is not the current code"));
    };
    let id = user.id;
    let who = caller.clone();
    state
        .write(move |conn, audit| {
            users::set_totp(conn, id, Some(&secret), true)?;
            users::claim_totp_step(conn, id, step)?;
            audit.push(who.event(AuditAction::Update, "user_totp", Some(id.to_string()), None));
            Ok(())
        })
        .await
}

/// Asks for a reset link (1 h, single use) to be emailed to an active login's address.
/// It never fails and says nothing: a read decides whether there is work (an active
/// login with reset links left this hour), so a flood of unknown emails writes nothing;
/// the writing then happens in the background, so the caller's answer cannot time it.
pub async fn request_password_reset(state: Arc<AppState>, ctx: RequestContext, email: String) {
    // Nobody's email is this long; answer as for any unknown address.
    if email.chars().count() > 254 {
        return;
    }
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
        return;
    }
    actix_web::rt::spawn(async move {
        if let Err(err) = issue_reset(&state, &ctx, email).await {
            tracing::warn!(error = %err, "password reset not issued");
        }
    });
}

/// Issues and queues the reset link (audited against the login), then wakes the sender.
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

/// Sets a password with a single-use emailed token (portal set-up or reset); every
/// session of the user ends. A bad token costs one lookup, never an argon2 hash.
pub async fn set_password(
    state: &AppState,
    ctx: &RequestContext,
    body: SetPassword,
) -> Result<(), ApiError> {
    if body.token.len() > 200 {
        return Err(ApiError::validation(
            "token",
            "is not valid (used, expired or unknown)",
        ));
    }
    if let Err(message) = check_new_password(&body.new_password) {
        return Err(ApiError::validation("new_password", message));
    }
    let token = body.token;
    // A bad token costs one lookup, never an argon2 hash (this route is public).
    let probe = token.clone();
    state
        .db(move |conn| accounts::check_link(conn, &probe, crate::db::now()))
        .await?;
    let hash = state.hasher.hash(body.new_password).await?;
    let ctx = ctx.clone();
    state
        .write(move |conn, audit| {
            let id = accounts::redeem_link(conn, &token, &hash, crate::db::now())?;
            let user = users::find(conn, id)?;
            audit.push(AuditEvent {
                actor_id: Some(user.id),
                actor_role: Some(user.role),
                action: AuditAction::Update,
                entity_type: "user_password",
                entity_id: Some(user.id.to_string()),
                patient_id: user.patient_id,
                ..ctx.anonymous_event(AuditAction::Update, "user_password")
            });
            Ok(())
        })
        .await
}
