//! The database's one writer thread: it takes queued jobs (read audits and, on SQLite,
//! whole audited writes) and commits as many as are waiting in one transaction
//! (group commit). A job answers only after its batch committed.
//!
//! - On SQLite the thread owns the one connection that writes clinical data: every
//!   `AppState::write` runs here, each in a savepoint of the batch's `BEGIN IMMEDIATE`
//!   transaction, so a refused or failed job is undone alone and its neighbours
//!   commit. The audit rows of every kept job (and of every read audit) join the
//!   chain at the end of the batch, in queue order, in the same transaction: no change
//!   commits without its rows, no row without its change. Requests no longer queue
//!   for the file's write lock through `busy_timeout` sleeps; they queue here, in
//!   order, and one fsync commits the lot.
//! - On PostgreSQL only read audits come here (writes run concurrently on the pool,
//!   serialised where they must be by advisory locks); the thread takes a pooled
//!   connection per batch.
//!
//! A batch reads the chain's head once and appends all its rows in multi-row inserts.
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection;
use tokio::sync::{mpsc, oneshot};

use super::{append_chained, AuditEvent};
use crate::audit_seal::ChainSeal;
use crate::db::{DbConnection, DbPool};

/// Why a job's batch did not commit (a 503's logged cause; never a value).
pub type Cause = &'static str;

/// A read audit's answer: its rows committed, or why not.
pub type Ack = oneshot::Sender<Result<(), Cause>>;

/// Told, after the batch ended, whether it committed.
pub type Finish = Box<dyn FnOnce(Result<(), Cause>) + Send>;

/// What a write did in its savepoint.
pub struct Ran {
    /// Keep its changes (release the savepoint) or undo them.
    pub keep: bool,
    /// The audit rows of what it changed (appended only if kept).
    pub events: Vec<AuditEvent>,
    /// Told, once the batch ended, whether it committed.
    pub finish: Finish,
}

/// A write to run inside its savepoint. Given no connection, it does not run (the
/// writer refused it) and is then told why through its `Finish`.
pub type WriteWork = Box<dyn FnOnce(Option<&mut DbConnection>) -> Ran + Send>;

pub enum Job {
    /// Read audit rows to append.
    Audit(Vec<AuditEvent>, Ack),
    /// An audited write (SQLite only).
    Write(WriteWork),
}

/// A job and when it was queued.
pub type Queued = (Job, Instant);

/// The largest batch one transaction commits (audit events, or writes counted as one).
const MAX_BATCH: usize = 512;

/// Where the writer's connection comes from.
pub enum Target {
    /// PostgreSQL: a pooled connection per batch.
    Pool(DbPool),
    /// SQLite: one connection of its own, reopened if it breaks.
    Own {
        conn: Option<DbConnection>,
        open: Box<dyn Fn() -> diesel::ConnectionResult<DbConnection> + Send>,
    },
}

/// Runs until every sender is dropped. A job that waited longer than `max_wait` in
/// the queue is refused (503) instead of run: the database is not keeping up.
pub fn run(
    mut target: Target,
    seal: &ChainSeal,
    mut rx: mpsc::UnboundedReceiver<Queued>,
    max_wait: Duration,
) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        let mut size = weight(&batch[0].0);
        while size < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => {
                    size += weight(&next.0);
                    batch.push(next);
                }
                Err(_) => break,
            }
        }
        let (fresh, stale): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .partition(|(_, queued)| queued.elapsed() <= max_wait);
        for (job, _) in stale {
            fail(job, "writer_backlog");
        }
        if fresh.is_empty() {
            continue;
        }
        let jobs = fresh.into_iter().map(|(job, _)| job).collect();
        match &mut target {
            Target::Pool(pool) => match pool.get() {
                Ok(mut conn) => {
                    commit_batch(&mut conn, seal, jobs);
                }
                Err(err) => {
                    tracing::error!(error = %err, "audit batch failed: no connection");
                    jobs.into_iter().for_each(|job| fail(job, "pool_timeout"));
                }
            },
            Target::Own { conn: slot, open } => {
                if slot.is_none() {
                    match open() {
                        Ok(c) => *slot = Some(c),
                        Err(err) => {
                            tracing::error!(error = %err, "the writer cannot open its connection");
                            jobs.into_iter().for_each(|job| fail(job, "write_failed"));
                            continue;
                        }
                    }
                }
                let Some(conn) = slot.as_mut() else { continue };
                if !commit_batch(conn, seal, jobs) {
                    // Its transaction state is unknown: the next batch opens a new one
                    // (dropping this one rolls back whatever it still holds).
                    *slot = None;
                }
            }
        }
    }
}

fn weight(job: &Job) -> usize {
    match job {
        Job::Audit(events, _) => events.len().max(1),
        Job::Write(_) => 1,
    }
}

/// Refuses a job without running it.
fn fail(job: Job, cause: Cause) {
    match job {
        Job::Audit(_, ack) => {
            let _ = ack.send(Err(cause));
        }
        Job::Write(work) => (work(None).finish)(Err(cause)),
    }
}

/// What each job is told once the batch ended.
enum Done {
    /// Read audits (their rows are appended with the batch's).
    Ack(Ack),
    Finish(Finish),
    /// The work panicked; its answer channel is gone.
    Lost,
}

/// The cause a database error gives a 503.
fn cause_of(err: &diesel::result::Error) -> Cause {
    crate::error::unavailable_cause(err).unwrap_or("write_failed")
}

/// Runs the jobs in one transaction, each write in a savepoint, appends every kept
/// job's audit rows at the end, then tells each its fate. Returns false when the
/// connection's transaction state is no longer known.
fn commit_batch(conn: &mut DbConnection, seal: &ChainSeal, jobs: Vec<Job>) -> bool {
    let begun = match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c),
    };
    if let Err(err) = begun {
        let cause = cause_of(&err);
        tracing::error!(error = %err, cause, "write batch could not begin");
        jobs.into_iter().for_each(|job| fail(job, cause));
        return cause == "database_locked";
    }
    let mut done = Vec::new();
    let mut broken: Option<Cause> = None;
    // The rows to append at the end: read audits' and kept writes', in queue order.
    let mut rows: Vec<AuditEvent> = Vec::new();
    for job in jobs {
        if let Some(cause) = broken {
            fail(job, cause);
            continue;
        }
        let work = match job {
            Job::Audit(events, ack) => {
                rows.extend(events);
                done.push(Done::Ack(ack));
                continue;
            }
            Job::Write(work) => work,
        };
        // Each write in a savepoint: one job's failure does not undo another's (read
        // audits write nothing before the batch's rows, so they need none).
        if let Err(err) = <DbConnection as Connection>::TransactionManager::begin_transaction(conn)
        {
            tracing::error!(error = %err, "write batch: savepoint failed");
            broken = Some(cause_of(&err));
            (work(None).finish)(Err("write_failed"));
            continue;
        }
        let (keep, outcome) = match std::panic::catch_unwind(AssertUnwindSafe(|| work(Some(conn))))
        {
            Ok(ran) => {
                if ran.keep {
                    rows.extend(ran.events);
                }
                (ran.keep, Done::Finish(ran.finish))
            }
            Err(_) => {
                // Undo it alone: unwind whatever savepoints it left open, then its
                // own (below). Its answer channel is gone (a 500).
                tracing::error!("a write panicked; it is rolled back alone");
                if unwind_to_savepoint(conn).is_err() {
                    broken = Some("write_failed");
                    done.push(Done::Lost);
                    continue;
                }
                (false, Done::Lost)
            }
        };
        let step = if keep {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)
        } else {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)
        };
        if let Err(err) = step {
            tracing::error!(error = %err, "write batch: savepoint release or rollback failed");
            broken = Some("write_failed");
        }
        done.push(outcome);
    }
    if broken.is_none() && !matches!(conn.transaction_depth(), Ok(1)) {
        // A job left a savepoint open without failing: the batch's COMMIT would only
        // release it and answer "committed" for writes still uncommitted.
        tracing::error!("write batch: a job left a savepoint open");
        broken = Some("write_failed");
    }
    if broken.is_none() && !rows.is_empty() {
        // One head read and one chain extension for the whole batch, after every
        // change it covers: if it fails, nothing of the batch commits.
        if let Err(err) = append_chained(conn, seal, rows.iter()) {
            tracing::error!(error = %err, events = rows.len(), "audit batch failed");
            broken = Some("audit_write_failed");
        }
    }
    let (outcome, intact) = match broken {
        Some(cause) => {
            // Best effort: the connection is replaced anyway, since a panicked job may
            // have left diesel's nesting depth out of step with SQLite's.
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
            (Err(cause), false)
        }
        None => match <DbConnection as Connection>::TransactionManager::commit_transaction(conn) {
            Ok(()) => (Ok(()), true),
            Err(err) => {
                let cause = cause_of(&err);
                tracing::error!(error = %err, cause, "write batch could not commit");
                let _ =
                    <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
                (Err(cause), false)
            }
        },
    };
    for d in done {
        match d {
            Done::Ack(ack) => {
                let _ = ack.send(outcome);
            }
            Done::Finish(finish) => finish(outcome),
            Done::Lost => {}
        }
    }
    intact
}

/// Rolls back savepoints a panicked job left open, down to its own (depth 1 is the
/// batch, 2 a job's savepoint).
fn unwind_to_savepoint(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    while conn.transaction_depth()? > 2 {
        <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
    }
    if conn.transaction_depth()? == 2 {
        Ok(())
    } else {
        Err(diesel::result::Error::BrokenTransactionManager)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;

    use super::*;
    use crate::audit::{verify_chain, AuditAction, AuditLog};
    use crate::audit_seal::AuditKey;
    use crate::db::types::PatientId;
    use crate::error::ApiError;

    fn event(n: i64) -> AuditEvent {
        AuditEvent {
            actor_id: None,
            actor_role: None,
            action: AuditAction::Create,
            entity_type: "probe",
            entity_id: Some(n.to_string()),
            patient_id: Some(PatientId::new()),
            ip: None,
            request_id: None,
        }
    }

    /// A SQLite file with the schema and a `probe` table, and a seal for it.
    fn database(dir: &tempfile::TempDir) -> (String, Arc<ChainSeal>) {
        let url = format!("sqlite://{}", dir.path().join("writer.db").display());
        let mut conn = crate::db::open_connection(&url, Duration::from_secs(5)).unwrap();
        crate::db::run_migrations(&mut conn).unwrap();
        conn.batch_execute("CREATE TABLE probe (n INTEGER NOT NULL)")
            .unwrap();
        let seal = ChainSeal::detached(
            AuditKey::from_bytes([5; 32]),
            dir.path().join("audit.anchors"),
            0,
        );
        (url, Arc::new(seal))
    }

    /// Starts the writer on its own connection to `url`, as `AuditLog::start` does.
    fn start_writer(
        url: &str,
        seal: Arc<ChainSeal>,
        rx: mpsc::UnboundedReceiver<Queued>,
        max_wait: Duration,
    ) {
        let url = url.to_owned();
        let open = Box::new(move || crate::db::open_connection(&url, Duration::from_secs(5)));
        std::thread::spawn(move || run(Target::Own { conn: None, open }, &seal, rx, max_wait));
    }

    enum Step {
        Keep,
        Refuse,
        Panic,
    }

    /// Queues a write that inserts `n` into `probe` and audits it, then does `step`.
    fn write(log: &AuditLog, n: i64, step: Step) -> tokio::task::JoinHandle<Result<i64, ApiError>> {
        let log = log.clone();
        tokio::spawn(async move {
            log.write(move |conn, audit| {
                diesel::sql_query(format!("INSERT INTO probe (n) VALUES ({n})")).execute(conn)?;
                audit.push(event(n));
                match step {
                    Step::Keep => Ok(n),
                    Step::Refuse => Err(ApiError::Conflict("refused by the test".into())),
                    Step::Panic => panic!("a write that panics"),
                }
            })
            .await
        })
    }

    /// What `probe` holds, in insertion order.
    fn probes(conn: &mut DbConnection) -> Vec<i64> {
        #[derive(diesel::QueryableByName)]
        struct Probe {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query("SELECT n FROM probe ORDER BY rowid")
            .load::<Probe>(conn)
            .unwrap()
            .into_iter()
            .map(|p| p.n)
            .collect()
    }

    /// A write that nests `write_transaction` (sign-in's throttle does) gets a savepoint
    /// inside its own: a failing inner part is undone alone, and the job, a later inner
    /// part and the neighbour in the same batch keep theirs.
    #[tokio::test]
    async fn a_failing_nested_write_transaction_is_undone_alone_inside_its_job() {
        let dir = tempfile::tempdir().unwrap();
        let (url, seal) = database(&dir);
        let (log, rx) = AuditLog::unstarted(seal.clone(), true);
        let nested = {
            let log = log.clone();
            tokio::spawn(async move {
                log.write(|conn, audit| {
                    diesel::sql_query("INSERT INTO probe (n) VALUES (1)").execute(conn)?;
                    let inner: Result<(), ApiError> = conn.write_transaction(|c| {
                        diesel::sql_query("INSERT INTO probe (n) VALUES (2)").execute(c)?;
                        Err(ApiError::Conflict("refused inside".into()))
                    });
                    assert!(matches!(inner, Err(ApiError::Conflict(_))));
                    conn.write_transaction(|c| {
                        diesel::sql_query("INSERT INTO probe (n) VALUES (3)").execute(c)
                    })?;
                    audit.push(event(1));
                    Ok(1)
                })
                .await
            })
        };
        let neighbour = write(&log, 4, Step::Keep);
        while rx.len() < 2 {
            tokio::task::yield_now().await;
        }
        start_writer(&url, seal.clone(), rx, Duration::from_secs(60));
        assert_eq!(nested.await.unwrap().unwrap(), 1);
        assert_eq!(neighbour.await.unwrap().unwrap(), 4);
        let mut conn = crate::db::open_connection(&url, Duration::from_secs(5)).unwrap();
        assert_eq!(probes(&mut conn), vec![1, 3, 4]);
        let report = verify_chain(&mut conn, &seal).unwrap();
        assert!(report.ok && report.rows_checked == 2, "{report:?}");
    }

    /// Every job is queued before the writer starts, so all of them are one batch:
    /// the refused one and the panicking one are undone alone, a read audit between
    /// them is kept, and the neighbours commit with their audit rows, in order.
    #[tokio::test]
    async fn a_failing_write_in_a_batch_is_undone_alone_and_its_neighbours_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (url, seal) = database(&dir);
        let (log, rx) = AuditLog::unstarted(seal.clone(), true);
        let first = write(&log, 1, Step::Keep);
        let refused = write(&log, 2, Step::Refuse);
        let reader = {
            let log = log.clone();
            tokio::spawn(async move { log.record_all(vec![event(9)]).await })
        };
        let panicked = write(&log, 3, Step::Panic);
        let last = write(&log, 4, Step::Keep);
        while rx.len() < 5 {
            tokio::task::yield_now().await;
        }
        start_writer(&url, seal.clone(), rx, Duration::from_secs(60));

        assert_eq!(first.await.unwrap().unwrap(), 1);
        assert!(matches!(refused.await.unwrap(), Err(ApiError::Conflict(_))));
        reader.await.unwrap().unwrap();
        assert!(matches!(
            panicked.await.unwrap(),
            Err(ApiError::Internal(_))
        ));
        assert_eq!(last.await.unwrap().unwrap(), 4);

        let mut conn = crate::db::open_connection(&url, Duration::from_secs(5)).unwrap();
        assert_eq!(
            probes(&mut conn),
            vec![1, 4],
            "only the kept writes are stored"
        );
        let audited: Vec<String> = crate::db::models::audit::chunk_after(&mut conn, 0, 100)
            .unwrap()
            .into_iter()
            .filter_map(|row| row.entity_id)
            .collect();
        assert_eq!(
            audited,
            vec!["1", "9", "4"],
            "each kept job's rows, in queue order"
        );
        let report = verify_chain(&mut conn, &seal).unwrap();
        assert!(report.ok && report.rows_checked == 3, "{report:?}");

        // The writer goes on after the failures.
        assert_eq!(write(&log, 5, Step::Keep).await.unwrap().unwrap(), 5);
    }

    /// The batch's audit rows are appended after its writes, all at once: when that
    /// append fails, no write of the batch commits (none without its rows) and every
    /// job is told 503; the writer goes on with the next batch.
    #[tokio::test]
    async fn when_the_batch_audit_append_fails_nothing_of_the_batch_commits() {
        let dir = tempfile::tempdir().unwrap();
        let (url, seal) = database(&dir);
        let mut setup = crate::db::open_connection(&url, Duration::from_secs(5)).unwrap();
        setup
            .batch_execute(
                "CREATE TRIGGER poison BEFORE INSERT ON audit_log WHEN NEW.entity_id = '13' \
                 BEGIN SELECT RAISE(ABORT, 'poisoned row'); END",
            )
            .unwrap();
        let (log, rx) = AuditLog::unstarted(seal.clone(), true);
        let first = write(&log, 1, Step::Keep);
        let reader = {
            let log = log.clone();
            tokio::spawn(async move { log.record_all(vec![event(9)]).await })
        };
        let poisoned = write(&log, 13, Step::Keep);
        while rx.len() < 3 {
            tokio::task::yield_now().await;
        }
        start_writer(&url, seal.clone(), rx, Duration::from_secs(60));
        assert!(matches!(first.await.unwrap(), Err(ApiError::Unavailable)));
        assert!(matches!(reader.await.unwrap(), Err(ApiError::Unavailable)));
        assert!(matches!(
            poisoned.await.unwrap(),
            Err(ApiError::Unavailable)
        ));
        assert_eq!(probes(&mut setup), Vec::<i64>::new(), "no write committed");
        assert_eq!(crate::db::models::audit::head(&mut setup).unwrap(), None);

        assert_eq!(write(&log, 2, Step::Keep).await.unwrap().unwrap(), 2);
        assert_eq!(probes(&mut setup), vec![2]);
        let report = verify_chain(&mut setup, &seal).unwrap();
        assert!(report.ok && report.rows_checked == 1, "{report:?}");
    }

    /// A job that waited in the queue longer than the limit is refused unrun (503).
    #[tokio::test]
    async fn a_write_queued_past_the_limit_is_refused_without_running() {
        let dir = tempfile::tempdir().unwrap();
        let (url, seal) = database(&dir);
        let (log, rx) = AuditLog::unstarted(seal.clone(), true);
        let stale = write(&log, 1, Step::Keep);
        while rx.is_empty() {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
        start_writer(&url, seal, rx, Duration::from_millis(10));
        assert!(matches!(stale.await.unwrap(), Err(ApiError::Unavailable)));
        let mut conn = crate::db::open_connection(&url, Duration::from_secs(5)).unwrap();
        let head = crate::db::models::audit::head(&mut conn).unwrap();
        assert_eq!(head, None, "nothing written");
    }
}
