//! What every handler shares: the pool, the settings, the audit writer, the password
//! hasher, the media store and the image workers.
use std::sync::Arc;

use crate::audit::{AuditEvent, AuditLog};
use crate::auth::password::PasswordHasher;
use crate::auth::session::Touches;
use crate::config::Settings;
use crate::db::{Backend, DbConnection, DbPool};
use crate::error::ApiError;
use crate::imaging::ImageWorkers;
use crate::media::MediaStore;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    /// The requests' connections. On SQLite they are read-only: a request's writes go
    /// to the one writer (`write`).
    pub pool: DbPool,
    /// Writable connections for the background jobs (retention, reminders and the
    /// outbox, anchoring); on PostgreSQL the same pool as `pool`.
    pub background: DbPool,
    /// The pool's backend (chosen by `DATABASE_URL`).
    pub backend: Backend,
    pub settings: Arc<Settings>,
    pub audit: AuditLog,
    pub hasher: PasswordHasher,
    pub metrics: Metrics,
    pub media: Arc<dyn MediaStore>,
    pub images: ImageWorkers,
    /// The sessions whose idle clock a request is moving right now (one write each).
    pub touches: Touches,
}

impl AppState {
    /// Runs blocking database work on the blocking pool, never on the async workers.
    /// A pool timeout becomes 503 (the database is down or saturated).
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }

    /// Several reads that answer one question together (a day's free slots: the
    /// service, the practitioner, the hours, the time off, what is booked). On SQLite
    /// they run in one read transaction: they see one snapshot, and the connection
    /// takes the WAL read lock once instead of once per statement (each lock and
    /// unlock is an `fcntl` call: 6 % of a free-slot request's time when every query
    /// took its own). On PostgreSQL they run as they are (a transaction would add
    /// two round trips).
    pub async fn read_together<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.db(move |conn| match conn.backend() {
            Backend::Sqlite => diesel::Connection::transaction(conn, work),
            Backend::Postgres => work(conn),
        })
        .await
    }

    /// A lookup by key (the session of a token, one row by its id): on SQLite, when a
    /// pooled connection is idle, it runs right here on the async worker. A WAL reader
    /// does not wait for the writer, and an indexed lookup of pages in the cache takes
    /// a few microseconds: less than handing it to a blocking thread and waking this
    /// one again, which is most of a small read's cost. The price: while it runs, this
    /// worker serves nobody else, so a cold read from a slow disk, or a reader told
    /// "busy" during WAL recovery (rare; it then sleeps up to `busy_timeout`), holds
    /// the worker. Otherwise (PostgreSQL, a network round trip away; or every
    /// connection busy) it goes to the blocking pool like any other query. Only for one
    /// row by key: a list (even a row's child list), a scan or anything that writes
    /// goes through `db` or `write`.
    pub async fn lookup<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if self.backend == Backend::Sqlite {
            if let Some(mut conn) = self.pool.try_get() {
                return work(&mut conn);
            }
        }
        self.db(work).await
    }

    /// Whether the database answers a trivial query (readiness).
    pub async fn database_answers(&self) -> Result<(), ApiError> {
        self.db(|conn| Ok(crate::db::ping(conn)?)).await
    }

    /// Runs a write and its audit rows in one transaction: push an event for
    /// everything changed. On SQLite the one writer runs it in a savepoint of its
    /// group-committed batch (`AuditLog::write`); on PostgreSQL it runs concurrently
    /// on the blocking pool (`audited_transaction`).
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &mut Vec<AuditEvent>) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if self.audit.owns_writes() {
            return self.audit.write(work).await;
        }
        let seal = self.audit.seal();
        self.db(move |conn| crate::audit::audited_transaction(conn, &seal, work))
            .await
    }
}
