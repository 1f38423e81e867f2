//! The login throttle (SPEC §6): failures counted per (email, peer), per email and per peer,
//! in the database so every app server sees the same counts. Unknown emails count the same.
use chrono::Duration;

use crate::config::Settings;
use crate::db::models::throttle;
use crate::db::models::users::normalise_email;
use crate::db::DbConnection;

struct Key {
    key: String,
    limit: i64,
    window: Duration,
}

fn keys(settings: &Settings, email: &str, peer: &str) -> [Key; 3] {
    let email = normalise_email(email);
    [
        Key {
            key: format!("pair:{email}|{peer}"),
            limit: settings.login_limit_pair,
            window: Duration::minutes(15),
        },
        Key {
            key: format!("email:{email}"),
            limit: settings.login_limit_email,
            window: Duration::hours(1),
        },
        Key {
            key: format!("peer:{peer}"),
            limit: settings.login_limit_peer,
            window: Duration::minutes(1),
        },
    ]
}

/// `Err(seconds)` when any key is tripped: how long until it may be tried again.
pub fn check(
    conn: &mut DbConnection,
    settings: &Settings,
    email: &str,
    peer: &str,
) -> diesel::QueryResult<Result<(), u64>> {
    let now = crate::db::now();
    let mut wait: Option<i64> = None;
    for k in keys(settings, email, peer) {
        let (count, oldest) = throttle::failures_since(conn, &k.key, now - k.window)?;
        if count >= k.limit {
            let free_at = oldest.unwrap_or(now) + k.window;
            let secs = (free_at - now).num_seconds().max(1);
            wait = Some(wait.map_or(secs, |w| w.max(secs)));
        }
    }
    Ok(match wait {
        Some(secs) => Err(u64::try_from(secs).unwrap_or(1)),
        None => Ok(()),
    })
}

pub fn record_failure(
    conn: &mut DbConnection,
    settings: &Settings,
    email: &str,
    peer: &str,
) -> diesel::QueryResult<()> {
    let keys: Vec<String> = keys(settings, email, peer)
        .into_iter()
        .map(|k| k.key)
        .collect();
    throttle::record_failure(conn, &keys, crate::db::now())
}

/// Clears the counters that lock an account (its email alone, and with any peer).
pub fn clear_for_email(conn: &mut DbConnection, email: &str) -> diesel::QueryResult<usize> {
    let email = normalise_email(email);
    let mut cleared = throttle::clear(conn, &format!("email:{email}"))?;
    cleared += throttle::clear_prefix(conn, &format!("pair:{email}|"))?;
    Ok(cleared)
}
