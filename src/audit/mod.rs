//! The audit log: its rows, its chain and its one writer (`writer`). Requests hand
//! their rows to the writer thread, which chains and inserts them in batches (group
//! commit); a request answers only after its batch committed, so no answered read
//! lacks its audit row. On SQLite the same thread also runs every audited write, each
//! in a savepoint of the batch, with its rows. Each row's hash is a keyed MAC and the
//! head is anchored outside the database (`audit_seal`).
pub mod writer;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, SubsecRound, Utc};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use utoipa::ToSchema;

pub use crate::audit_seal::GENESIS_HASH;
use crate::audit_seal::{AnchorRef, ChainSeal};
use crate::config::{AuditSettings, DatabaseSettings};
use crate::db::models::audit::{self as rows, AuditRow};
use crate::db::types::{AuditId, PatientId, UserId};
use crate::db::{Backend, DbConnection, DbPool};
use crate::domain::role::Role;
use crate::error::ApiError;
use writer::{Cause, Finish, Job, Queued, Ran, Target, WriteWork};

/// What happened (SPEC §6 "Audit").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Read,
    Search,
    Create,
    Update,
    Delete,
    Sign,
    Amend,
    Export,
    LoginSucceeded,
    LoginFailed,
    AccessDenied,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Read => "read",
            AuditAction::Search => "search",
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::Sign => "sign",
            AuditAction::Amend => "amend",
            AuditAction::Export => "export",
            AuditAction::LoginSucceeded => "login_succeeded",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::AccessDenied => "access_denied",
        }
    }
}

/// One thing to record. It names ids and kinds only, never PHI values.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor_id: Option<UserId>,
    pub actor_role: Option<Role>,
    pub action: AuditAction,
    pub entity_type: &'static str,
    pub entity_id: Option<String>,
    pub patient_id: Option<PatientId>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// A handle to the one writer (`audit::writer`); cheap to clone.
#[derive(Clone, Debug)]
pub struct AuditLog {
    tx: mpsc::UnboundedSender<Queued>,
    seal: Arc<ChainSeal>,
    /// SQLite: the writer also runs every audited write (`write`).
    owns_writes: bool,
}

/// Held for the batch's transaction so that several app servers on one
/// PostgreSQL extend the chain one at a time.
const PG_ADVISORY_KEY: i64 = 0x4445_524D_4100_0001;

impl AuditLog {
    /// Loads the key and anchors and starts the writer thread; it ends when the last
    /// handle is dropped. On SQLite the writer opens a connection of its own and runs
    /// every audited write; on PostgreSQL it borrows pooled connections for read audits.
    pub fn start(
        pool: DbPool,
        settings: &AuditSettings,
        database: &DatabaseSettings,
    ) -> anyhow::Result<AuditLog> {
        let seal = Arc::new(ChainSeal::open(settings, &mut *pool.get()?)?);
        let (tx, rx) = mpsc::unbounded_channel();
        let writer_seal = seal.clone();
        let pool_settings = database.pool_settings();
        let (target, max_wait, owns_writes) = match Backend::of_url(&database.database_url)? {
            Backend::Sqlite => {
                let url = database.database_url.clone();
                let busy = pool_settings.busy_timeout;
                let open = Box::new(move || crate::db::open_connection(&url, busy));
                (Target::Own { conn: None, open }, busy, true)
            }
            Backend::Postgres => (Target::Pool(pool), pool_settings.connection_timeout, false),
        };
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || writer::run(target, &writer_seal, rx, max_wait))?;
        Ok(AuditLog {
            tx,
            seal,
            owns_writes,
        })
    }

    /// A handle whose writer the caller runs (`writer::run`), e.g. only after queueing
    /// jobs, so that they form one batch.
    #[cfg(test)]
    pub(crate) fn unstarted(
        seal: Arc<ChainSeal>,
        owns_writes: bool,
    ) -> (AuditLog, mpsc::UnboundedReceiver<Queued>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let log = AuditLog {
            tx,
            seal,
            owns_writes,
        };
        (log, rx)
    }

    /// The key, anchors and MAC boundary every append and every check uses.
    pub fn seal(&self) -> Arc<ChainSeal> {
        self.seal.clone()
    }

    /// Whether audited writes go through the writer (SQLite) rather than the pool.
    pub fn owns_writes(&self) -> bool {
        self.owns_writes
    }

    /// Anchors the chain head every `every` (when it moved), until aborted.
    pub fn start_anchoring(&self, pool: DbPool, every: Duration) -> tokio::task::JoinHandle<()> {
        let seal = self.seal.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every.max(Duration::from_millis(10)));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                anchor_now(&pool, &seal).await;
            }
        })
    }

    /// Anchors the head once (e.g. on shutdown).
    pub async fn anchor_now(&self, pool: &DbPool) {
        anchor_now(pool, &self.seal).await;
    }

    /// Records the events and waits until they are committed.
    pub async fn record_all(&self, events: Vec<AuditEvent>) -> Result<(), ApiError> {
        if events.is_empty() {
            return Ok(());
        }
        let (ack, done) = oneshot::channel();
        self.tx
            .send((Job::Audit(events, ack), Instant::now()))
            .map_err(|_| ApiError::unavailable("audit_writer_stopped"))?;
        // Without its audit row the request must not succeed; each refused request
        // says why once (the writer's batch line may cover several requests).
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(cause)) => Err(ApiError::unavailable(cause)),
            Err(_) => Err(ApiError::unavailable("audit_writer_stopped")),
        }
    }

    pub async fn record(&self, event: AuditEvent) -> Result<(), ApiError> {
        self.record_all(vec![event]).await
    }

    /// Runs an audited write on the writer (SQLite): `work` in a savepoint of the
    /// writer's next batch, its events appended with the batch's rows if it is kept;
    /// answers once the batch committed. A refusal (`Err`) undoes only this write.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &mut Vec<AuditEvent>) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<Result<T, ApiError>, Cause>>();
        let job: WriteWork = Box::new(move |conn| {
            let mut events = Vec::new();
            let result = conn.map(|conn| work(conn, &mut events));
            let keep = matches!(result, Some(Ok(_)));
            let finish: Finish = Box::new(move |committed| {
                let answer = match (result, committed) {
                    (Some(Err(refused)), _) => Ok(Err(refused)),
                    (Some(Ok(value)), Ok(())) => Ok(Ok(value)),
                    (_, committed) => Err(committed.err().unwrap_or("write_failed")),
                };
                let _ = tx.send(answer);
            });
            Ran {
                keep,
                events,
                finish,
            }
        });
        self.tx
            .send((Job::Write(job), Instant::now()))
            .map_err(|_| ApiError::unavailable("audit_writer_stopped"))?;
        match rx.await {
            Ok(Ok(answer)) => answer,
            Ok(Err(cause)) => Err(ApiError::unavailable(cause)),
            // The work panicked on the writer (its batch was rolled back).
            Err(_) => Err(ApiError::internal(anyhow::anyhow!("a write panicked"))),
        }
    }
}

async fn anchor_now(pool: &DbPool, seal: &Arc<ChainSeal>) {
    let pool = pool.clone();
    let seal = seal.clone();
    let done = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = pool.get()?;
        seal.anchor(&mut conn)?;
        Ok(())
    })
    .await;
    match done {
        Ok(Ok(())) => {}
        Ok(Err(err)) => {
            crate::db::observe_failure(&err);
            tracing::error!(error = %err, "audit anchor failed");
        }
        Err(err) => tracing::error!(error = %err, "audit anchor task failed"),
    }
}

/// Runs a write in `write_transaction` together with its audit rows: `f` pushes the
/// events of what it changed, and they join the audit chain inside the same transaction
/// just before it commits (so both are durable, or neither is). Every clinical write goes
/// through here; reads keep using the audit writer.
pub fn audited_transaction<T, E, F>(conn: &mut DbConnection, seal: &ChainSeal, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection, &mut Vec<AuditEvent>) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.write_transaction(|conn| audited(conn, seal, f))
}

/// Inside a write's own transaction (PostgreSQL's writes): the work, then the rows of
/// what it changed, after it and in the same unit. (The writer's batches append their
/// jobs' rows at the batch's end instead: `writer::commit_batch`.)
fn audited<T, E, F>(conn: &mut DbConnection, seal: &ChainSeal, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection, &mut Vec<AuditEvent>) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let mut events = Vec::new();
    let value = f(conn, &mut events)?;
    append_in_transaction(conn, seal, &events)?;
    Ok(value)
}

/// Appends a write's audit rows inside the write's own transaction, just before it
/// commits, so the change and its rows are committed together or not at all (a crash
/// cannot leave one without the other). Called by `audited_transaction`
/// only; handlers hand their events to that.
pub fn append_in_transaction(
    conn: &mut DbConnection,
    seal: &ChainSeal,
    events: &[AuditEvent],
) -> diesel::QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    append_chained(conn, seal, events.iter())
}

/// The one place rows join the chain (the writer's batches and audited write
/// transactions alike): under the chain lock, after the head as committed, in order.
///
/// On PostgreSQL the transaction-scoped advisory lock serialises every appender of
/// every app server until its transaction ends; it is taken after any other lock the
/// transaction holds, and nothing waits for another lock while holding it. On SQLite
/// the caller's `BEGIN IMMEDIATE` already holds the one write lock.
pub(crate) fn append_chained<'a>(
    conn: &mut DbConnection,
    seal: &ChainSeal,
    events: impl Iterator<Item = &'a AuditEvent>,
) -> diesel::QueryResult<()> {
    let head = match conn {
        DbConnection::Postgres(pg) => rows::lock_and_head(pg, PG_ADVISORY_KEY)?,
        DbConnection::Sqlite(_) => rows::head(conn)?,
    };
    let (mut seq, mut prev) = head.unwrap_or((0, GENESIS_HASH.to_owned()));
    let now = audit_now();
    let mut chained = Vec::new();
    for event in events {
        seq += 1;
        let row = chain_row(seal, seq, &prev, now, event);
        prev = row.hash.clone();
        chained.push(row);
    }
    rows::insert_all(conn, &chained)?;
    Ok(())
}

/// Audit times are kept to the microsecond so both backends store them exactly.
fn audit_now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// The row for `event` at `seq` after `prev`, sealed with the key. Every append
/// path builds its rows here.
pub fn chain_row(
    seal: &ChainSeal,
    seq: i64,
    prev: &str,
    at: NaiveDateTime,
    e: &AuditEvent,
) -> AuditRow {
    let mut row = AuditRow {
        seq,
        id: AuditId::new(),
        at,
        actor_id: e.actor_id,
        actor_role: e.actor_role.map(|r| r.as_str().to_owned()),
        action: e.action.as_str().to_owned(),
        entity_type: e.entity_type.to_owned(),
        entity_id: e.entity_id.clone(),
        patient_id: e.patient_id,
        ip: e.ip.clone(),
        request_id: e.request_id.clone(),
        prev_hash: prev.to_owned(),
        hash: String::new(),
    };
    row.hash = seal.row_hash(&row);
    row
}

/// The answer of `/audit/verify`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainReport {
    /// True when every row checks out under the key, the links are unbroken and
    /// the chain still reaches the newest anchor.
    pub ok: bool,
    pub rows_checked: i64,
    /// The id of the first row whose content, MAC, link or anchor does not check out.
    pub first_broken_id: Option<AuditId>,
    /// Its sequence number.
    pub first_broken_seq: Option<i64>,
    /// True when rows the newest anchor saw are gone from the end of the chain.
    pub truncated: bool,
    /// The newest anchor (outside the database) the chain was checked against.
    pub anchor: Option<AnchorRef>,
}

/// Walks the whole chain in order, checking each row's MAC and link and every
/// anchored `(seq, hash)`, then whether the chain still reaches the newest anchor.
pub fn verify_chain(conn: &mut DbConnection, seal: &ChainSeal) -> anyhow::Result<ChainReport> {
    let anchors = seal.anchors()?;
    let anchored: std::collections::HashMap<i64, &str> =
        anchors.iter().map(|a| (a.seq, a.hash.as_str())).collect();
    let newest = anchors.iter().max_by_key(|a| a.seq);
    let anchor = newest.map(|a| AnchorRef {
        seq: a.seq,
        at: a.at,
    });
    let head = rows::head(conn)?.map_or(0, |(seq, _)| seq);
    let truncated = newest.is_some_and(|a| a.seq > head);
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut expected_seq = 1;
    let mut checked = 0;
    loop {
        let chunk = rows::chunk_after(conn, expected_seq - 1, 2000)?;
        if chunk.is_empty() {
            return Ok(ChainReport {
                ok: !truncated,
                rows_checked: checked,
                first_broken_id: None,
                first_broken_seq: None,
                truncated,
                anchor,
            });
        }
        for row in chunk {
            checked += 1;
            let intact = row.seq == expected_seq
                && row.prev_hash == expected_prev
                && seal.row_hash(&row) == row.hash
                && anchored.get(&row.seq).is_none_or(|h| *h == row.hash);
            if !intact {
                return Ok(ChainReport {
                    ok: false,
                    rows_checked: checked,
                    first_broken_id: Some(row.id),
                    first_broken_seq: Some(row.seq),
                    truncated,
                    anchor,
                });
            }
            expected_prev = row.hash;
            expected_seq += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> AuditEvent {
        AuditEvent {
            actor_id: Some(UserId::new()),
            actor_role: Some(Role::Practitioner),
            action: AuditAction::Read,
            entity_type: "patient",
            entity_id: None,
            patient_id: Some(PatientId::new()),
            ip: Some("127.0.0.1".into()),
            request_id: Some("r1".into()),
        }
    }

    fn seal(byte: u8, mac_start: i64) -> ChainSeal {
        ChainSeal::detached(
            crate::audit_seal::AuditKey::from_bytes([byte; 32]),
            std::path::PathBuf::from("/nonexistent/audit.anchors"),
            mac_start,
        )
    }

    #[test]
    fn any_field_change_changes_the_hash() {
        let seal = seal(7, 0);
        let row = chain_row(&seal, 1, GENESIS_HASH, audit_now(), &event());
        assert_eq!(seal.row_hash(&row), row.hash);
        let mut edited = row.clone();
        edited.action = "search".into();
        assert_ne!(seal.row_hash(&edited), row.hash);
        let mut relinked = row.clone();
        relinked.prev_hash = "1".repeat(64);
        assert_ne!(seal.row_hash(&relinked), row.hash);
    }

    #[test]
    fn the_hash_is_keyed_except_before_the_mac_start() {
        let row = chain_row(&seal(7, 0), 1, GENESIS_HASH, audit_now(), &event());
        assert_ne!(seal(8, 0).row_hash(&row), row.hash, "another key");
        assert_ne!(crate::audit_seal::legacy_row_hash(&row), row.hash);
        let legacy = seal(7, 1);
        assert_eq!(
            legacy.row_hash(&row),
            crate::audit_seal::legacy_row_hash(&row)
        );
    }
}
