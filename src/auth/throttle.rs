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

/// Held on PostgreSQL while counting and charging, so that parallel attempts are
/// counted one after another (SQLite's `BEGIN IMMEDIATE` already serialises them).
const PG_THROTTLE_LOCK: i64 = 0x4445_524D_4100_0002;

/// A charged attempt: refunded when the login succeeds.
#[derive(Debug, Clone, Copy)]
pub struct Charge {
    at: chrono::NaiveDateTime,
}

/// Counts the failures under every key and, unless one is tripped, charges this
/// attempt as a failure up front — so a burst of parallel guesses is counted
/// before any of them reaches the (slow) password check. `Err(seconds)` when tripped.
pub fn check_and_charge(
    conn: &mut DbConnection,
    settings: &Settings,
    email: &str,
    peer: &str,
) -> diesel::QueryResult<Result<Charge, u64>> {
    conn.write_transaction(|conn| {
        if let DbConnection::Postgres(pg) = conn {
            use diesel::RunQueryDsl;
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({PG_THROTTLE_LOCK})"))
                .execute(pg)?;
        }
        let now = crate::db::now();
        let mut wait: Option<i64> = None;
        let keys = keys(settings, email, peer);
        for k in &keys {
            let (count, oldest) = throttle::failures_since(conn, &k.key, now - k.window)?;
            if count >= k.limit {
                let free_at = oldest.unwrap_or(now) + k.window;
                let secs = (free_at - now).num_seconds().max(1);
                wait = Some(wait.map_or(secs, |w| w.max(secs)));
            }
        }
        if let Some(secs) = wait {
            return Ok(Err(u64::try_from(secs).unwrap_or(1)));
        }
        let names: Vec<String> = keys.into_iter().map(|k| k.key).collect();
        throttle::record_failure(conn, &names, now)?;
        Ok(Ok(Charge { at: now }))
    })
}

/// Takes back a charged attempt (the login succeeded).
pub fn refund(
    conn: &mut DbConnection,
    settings: &Settings,
    email: &str,
    peer: &str,
    charge: Charge,
) -> diesel::QueryResult<()> {
    for k in keys(settings, email, peer) {
        throttle::forget(conn, &k.key, charge.at)?;
    }
    Ok(())
}

/// Re-authentication (a password check by a signed-in user) is limited per user:
/// `Err(seconds)` after 5 wrong passwords in 15 minutes.
pub fn check_reauth(
    conn: &mut DbConnection,
    user: crate::db::types::UserId,
) -> diesel::QueryResult<Result<(), u64>> {
    let key = format!("reauth:{user}");
    let now = crate::db::now();
    let window = Duration::minutes(15);
    let (count, oldest) = throttle::failures_since(conn, &key, now - window)?;
    if count >= 5 {
        let secs = (oldest.unwrap_or(now) + window - now).num_seconds().max(1);
        return Ok(Err(u64::try_from(secs).unwrap_or(1)));
    }
    Ok(Ok(()))
}

pub fn record_reauth_failure(
    conn: &mut DbConnection,
    user: crate::db::types::UserId,
) -> diesel::QueryResult<()> {
    throttle::record_failure(conn, &[format!("reauth:{user}")], crate::db::now())
}

/// Clears the counters that lock an account (its email alone, and with any peer).
pub fn clear_for_email(conn: &mut DbConnection, email: &str) -> diesel::QueryResult<usize> {
    let email = normalise_email(email);
    let mut cleared = throttle::clear(conn, &format!("email:{email}"))?;
    cleared += throttle::clear_prefix(conn, &format!("pair:{email}|"))?;
    Ok(cleared)
}
