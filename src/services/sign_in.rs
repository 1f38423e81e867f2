//! Signing in and out: the login (throttle, password, second factor, a new session),
//! the session's end, and who is signed in.
use chrono::Utc;

use crate::api::auth::{LoginRequest, SessionKind};
use crate::audit::AuditAction;
use crate::auth::session::{self, IssuedSession};
use crate::auth::{throttle, totp, Caller, RequestContext};
use crate::db::models::sessions;
use crate::db::models::users::{self, UserRow};
use crate::error::ApiError;
use crate::state::AppState;

/// A successful login: the user and their new session.
pub struct SignedIn {
    pub user: UserRow,
    pub session: IssuedSession,
    /// The session lives in a cookie (not a bearer token).
    pub via_cookie: bool,
}

/// Signs in. Unknown email and wrong password answer alike (401, and cost alike);
/// repeated failures are throttled (429) before any password is checked; a login with
/// a confirmed second factor needs a fresh code (401 `totp-required` otherwise).
/// Every outcome is audited.
pub async fn login(
    state: &AppState,
    ctx: &RequestContext,
    body: LoginRequest,
) -> Result<SignedIn, ApiError> {
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
            .write(move |conn, _| {
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
        let mut event = ctx.anonymous_event(AuditAction::LoginFailed, "session");
        event.actor_id = user.as_ref().map(|u| u.id);
        async move {
            state.audit.record(event).await?;
            Err::<SignedIn, ApiError>(if totp {
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
            .write(move |conn, _| Ok(users::claim_totp_step(conn, id, step)?))
            .await?;
        if !fresh {
            // A replayed code counts as a failure.
            return failure(true).await;
        }
    }

    // The refund, the new session and its audit row: one write.
    let via_cookie = body.session == SessionKind::Cookie;
    let mut event = ctx.anonymous_event(AuditAction::LoginSucceeded, "session");
    event.actor_id = Some(user.id);
    event.actor_role = Some(user.role);
    event.patient_id = user.patient_id;
    let user_id = user.id;
    let issued = state
        .write(move |conn, audit| {
            throttle::refund(conn, &settings, &email, &peer, charge)?;
            let issued = session::issue(conn, &settings, user_id, via_cookie)?;
            event.entity_id = Some(issued.id.to_string());
            audit.push(event);
            Ok(issued)
        })
        .await?;
    Ok(SignedIn {
        user,
        session: issued,
        via_cookie,
    })
}

/// Ends the caller's session (its token stops working at once).
pub async fn logout(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    let id = caller.session_id;
    state
        .write(move |conn, _| Ok(sessions::revoke(conn, id, crate::db::now())?))
        .await?;
    Ok(())
}

/// The signed-in user.
pub async fn current_user(state: &AppState, caller: &Caller) -> Result<UserRow, ApiError> {
    let id = caller.user_id;
    state.lookup(move |conn| Ok(users::find(conn, id)?)).await
}
