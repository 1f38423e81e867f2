//! Opaque session tokens: 256 random bits handed out once, stored only as a SHA-256.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::config::Settings;
use crate::db::models::sessions::{self, NewSession, SessionState};
use crate::db::models::users::UserIdentity;
use crate::db::types::{SessionId, UserId};
use crate::db::DbConnection;

/// The cookie the web UI's session travels in (`__Host-` pins it to this origin, path `/`, Secure).
pub const COOKIE_NAME: &str = "__Host-dermachart";

/// Use within this long of the last recorded use is not written again (saves a write per request).
const TOUCH_GRANULARITY_SECS: i64 = 30;

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A freshly issued session: the token leaves the server once, here.
pub struct IssuedSession {
    pub id: SessionId,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

pub fn issue(
    conn: &mut DbConnection,
    settings: &Settings,
    user_id: UserId,
    via_cookie: bool,
) -> diesel::QueryResult<IssuedSession> {
    let token = new_token();
    let now = crate::api::instant(crate::db::now());
    let expires_at = now + settings.session_absolute();
    let id = SessionId::new();
    sessions::insert(
        conn,
        &NewSession {
            id,
            token_hash: &token_hash(&token),
            user_id,
            via_cookie,
            created_at: now.naive_utc(),
            last_seen_at: now.naive_utc(),
            expires_at: expires_at.naive_utc(),
        },
    )?;
    Ok(IssuedSession {
        id,
        token,
        expires_at,
    })
}

/// What resolving a token leaves to write: an expired session to revoke, or a live
/// one's idle clock to move on (at most every `TOUCH_GRANULARITY_SECS`). The caller
/// writes it through `AppState::write`, so on SQLite it joins the one writer's queue
/// instead of waiting on a pooled connection for the file lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upkeep {
    Revoke(SessionId),
    Touch(SessionId),
}

/// A live session and its user.
pub type Live = (SessionState, UserIdentity);

/// The session and its user if the token is live: not revoked, not past its absolute
/// or idle timeout, and the user still active; and what is left to write (`upkeep`).
/// Reads only. Expired sessions are revoked on sight (`Upkeep::Revoke`).
pub fn resolve(
    conn: &mut DbConnection,
    settings: &Settings,
    token: &str,
) -> diesel::QueryResult<(Option<Live>, Option<Upkeep>)> {
    let Some((session, user)) = sessions::find_live(conn, &token_hash(token))? else {
        return Ok((None, None));
    };
    let now = crate::db::now();
    if !is_live(&session, settings, now) {
        return Ok((None, Some(Upkeep::Revoke(session.id))));
    }
    if !user.active {
        return Ok((None, None));
    }
    let upkeep = (session.last_seen_at <= stale_before(now)).then_some(Upkeep::Touch(session.id));
    Ok((Some((session, user)), upkeep))
}

/// Writes what `resolve` left to write.
pub fn upkeep(conn: &mut DbConnection, upkeep: Upkeep) -> diesel::QueryResult<()> {
    let now = crate::db::now();
    match upkeep {
        Upkeep::Revoke(id) => sessions::revoke(conn, id, now)?,
        Upkeep::Touch(id) => sessions::touch(conn, id, now, stale_before(now))?,
    };
    Ok(())
}

/// The sessions whose idle clock a request of this app server is moving right now.
///
/// Every request of a session arriving while its clock is stale finds it stale: with
/// sixteen requests in flight on one token, that was sixteen writes of one row, each
/// waiting for the previous one's row lock and commit (on PostgreSQL, a WAL flush
/// each) while holding a pooled connection, and the requests behind them waiting for
/// a connection: one slow commit turned a burst into 503s (the test
/// `a_burst_on_a_stale_session_moves_its_idle_clock_once` shows it). One write per
/// session at a time is enough: a request that finds the write already under way goes
/// on without it. (Across app servers, `sessions::touch`'s condition keeps the
/// others' writes empty.)
#[derive(Clone, Default)]
pub struct Touches(Arc<Mutex<HashSet<SessionId>>>);

impl Touches {
    /// The right to write `upkeep`: always for a revocation; for a touch, unless
    /// another request of this server holds it (then `None`: nothing to write).
    pub fn claim(&self, upkeep: Upkeep) -> Option<UpkeepClaim> {
        match upkeep {
            Upkeep::Revoke(_) => Some(UpkeepClaim {
                upkeep,
                touches: None,
            }),
            Upkeep::Touch(id) => self.set().insert(id).then(|| UpkeepClaim {
                upkeep,
                touches: Some(self.clone()),
            }),
        }
    }

    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<SessionId>> {
        // The set holds no invariant a panic elsewhere could break.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A claimed upkeep write; a touch's claim ends when this is dropped (written or not).
pub struct UpkeepClaim {
    pub upkeep: Upkeep,
    touches: Option<Touches>,
}

impl Drop for UpkeepClaim {
    fn drop(&mut self) {
        if let (Upkeep::Touch(id), Some(touches)) = (self.upkeep, &self.touches) {
            touches.set().remove(&id);
        }
    }
}

/// A recorded use at or before this is stale at `now`: the one rule both the check
/// (`resolve`) and the write's condition (`sessions::touch`) apply.
fn stale_before(now: NaiveDateTime) -> NaiveDateTime {
    now - chrono::Duration::seconds(TOUCH_GRANULARITY_SECS)
}

fn is_live(session: &SessionState, settings: &Settings, now: NaiveDateTime) -> bool {
    session.revoked_at.is_none()
        && now < session.expires_at
        && now < session.last_seen_at + settings.session_idle()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_touch_per_session_at_a_time_and_revocations_always() {
        let touches = Touches::default();
        let (a, b) = (SessionId::new(), SessionId::new());
        let first = touches.claim(Upkeep::Touch(a)).expect("the first claim");
        assert!(
            touches.claim(Upkeep::Touch(a)).is_none(),
            "a second touch of a is left out"
        );
        let other = touches.claim(Upkeep::Touch(b));
        assert!(other.is_some(), "another session's touch is not held up");
        assert!(
            touches.claim(Upkeep::Revoke(a)).is_some(),
            "a revocation always writes"
        );
        drop(first);
        assert!(
            touches.claim(Upkeep::Touch(a)).is_some(),
            "claimable again once written"
        );
    }
}
