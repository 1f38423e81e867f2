//! Retention: rows that no longer mean anything are deleted on one schedule
//! (`RETENTION_INTERVAL_MS`, and once at start): login failures older than the
//! longest throttle window, ended sessions, idempotency keys past their 24 hours,
//! and password links that were used or expired (kept for the hour the reset cap
//! counts them).
//!
//! Safe with several app servers: every delete is idempotent, and on PostgreSQL
//! the job takes a transaction-scoped advisory lock with `try`, so a server that
//! finds another one pruning skips its turn instead of waiting.
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::models::throttle;
use crate::db::schema::{idempotency_keys, password_tokens, sessions};
use crate::db::{DbConnection, DbPool};

/// The longest throttle window (failures per email in an hour, `auth::throttle`).
pub const THROTTLE_KEEP: Duration = Duration::hours(1);
/// How long an `Idempotency-Key` answers a retry (`idempotency`).
pub const IDEMPOTENCY_KEEP: Duration = Duration::hours(24);
/// Spent password links still count towards the hourly reset cap (`accounts`).
pub const PASSWORD_LINK_KEEP: Duration = Duration::hours(1);

const PG_RETENTION_LOCK: i64 = 0x4445_524D_4100_0003;

/// How many rows one run deleted, per table (`None`: another server held the lock).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub login_failures: usize,
    pub sessions: usize,
    pub idempotency_keys: usize,
    pub password_tokens: usize,
}

/// Deletes what has expired by `now`. `session_idle` is the idle timeout: a session
/// unused for longer can never be used again.
pub fn prune(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    session_idle: Duration,
) -> QueryResult<Option<Pruned>> {
    conn.write_transaction(|conn| {
        if let DbConnection::Postgres(pg) = conn {
            #[derive(QueryableByName)]
            struct Locked {
                #[diesel(sql_type = diesel::sql_types::Bool)]
                locked: bool,
            }
            let got: Locked = diesel::sql_query(format!(
                "SELECT pg_try_advisory_xact_lock({PG_RETENTION_LOCK}) AS locked"
            ))
            .get_result(pg)?;
            if !got.locked {
                return Ok(None);
            }
        }
        let login_failures = throttle::prune(conn, now - THROTTLE_KEEP)?;
        let sessions = diesel::delete(
            sessions::table.filter(
                sessions::revoked_at
                    .is_not_null()
                    .or(sessions::expires_at.le(now))
                    .or(sessions::last_seen_at.le(now - session_idle)),
            ),
        )
        .execute(conn)?;
        let idempotency_keys = diesel::delete(
            idempotency_keys::table.filter(idempotency_keys::created_at.lt(now - IDEMPOTENCY_KEEP)),
        )
        .execute(conn)?;
        let password_tokens = diesel::delete(
            password_tokens::table
                .filter(password_tokens::created_at.lt(now - PASSWORD_LINK_KEEP))
                .filter(
                    password_tokens::used_at
                        .is_not_null()
                        .or(password_tokens::expires_at.le(now)),
                ),
        )
        .execute(conn)?;
        Ok(Some(Pruned {
            login_failures,
            sessions,
            idempotency_keys,
            password_tokens,
        }))
    })
}

/// Runs `prune` now and then every `every`, until aborted.
pub fn start(
    pool: DbPool,
    every: StdDuration,
    session_idle: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every.max(StdDuration::from_millis(10)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let pool = pool.clone();
            let run = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<Pruned>> {
                let mut conn = pool.get()?;
                Ok(prune(&mut conn, crate::db::now(), session_idle)?)
            })
            .await;
            match run {
                Ok(Ok(Some(p))) => {
                    if p != Pruned::default() {
                        tracing::info!(
                            login_failures = p.login_failures,
                            sessions = p.sessions,
                            idempotency_keys = p.idempotency_keys,
                            password_tokens = p.password_tokens,
                            "retention deleted expired rows"
                        );
                    }
                }
                Ok(Ok(None)) => tracing::debug!("retention skipped: another server is pruning"),
                Ok(Err(err)) => {
                    crate::db::observe_failure(&err);
                    tracing::warn!(error = %err, "retention run failed");
                }
                Err(err) => tracing::warn!(error = %err, "retention task failed"),
            }
        }
    })
}
