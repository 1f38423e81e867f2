//! Failed-login counters, kept in the database so every app server shares them.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::login_failures;
use crate::db::DbConnection;

/// Failures under `key` since `since`, and the oldest of them.
pub fn failures_since(
    conn: &mut DbConnection,
    key: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    login_failures::table
        .filter(login_failures::throttle_key.eq(key))
        .filter(login_failures::at.gt(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(login_failures::at),
        ))
        .first(conn)
}

pub fn record_failure(
    conn: &mut DbConnection,
    keys: &[String],
    at: NaiveDateTime,
) -> QueryResult<()> {
    for key in keys {
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::throttle_key.eq(key),
                login_failures::at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes one charged attempt of a key.
pub fn forget(conn: &mut DbConnection, key: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::throttle_key.eq(key))
            .filter(login_failures::at.eq(at)),
    )
    .execute(conn)
}

/// Clears one key (an admin unlocking an account or a peer).
pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::throttle_key.eq(key))).execute(conn)
}

/// Forgets failures older than `before` (housekeeping).
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::at.lt(before))).execute(conn)
}

/// Clears every key that starts with `prefix`.
pub fn clear_prefix(conn: &mut DbConnection, prefix: &str) -> QueryResult<usize> {
    let upper = format!("{prefix}\u{10FFFF}");
    diesel::delete(
        login_failures::table
            .filter(login_failures::throttle_key.ge(prefix))
            .filter(login_failures::throttle_key.lt(upper)),
    )
    .execute(conn)
}
