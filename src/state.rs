//! What every handler shares: the pool, the settings, the audit writer, the password
//! hasher, the media store and the image workers.
use std::sync::Arc;

use crate::audit::{AuditEvent, AuditLog};
use crate::auth::password::PasswordHasher;
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
    /// outbox, anchoring) and, on PostgreSQL, the writer's read audits.
    pub background: DbPool,
    /// Requests take their turn for a connection of `pool` here, first come first
    /// served (`db`).
    pub turns: Turns,
    /// The pool's backend (chosen by `DATABASE_URL`).
    pub backend: Backend,
    pub settings: Arc<Settings>,
    pub audit: AuditLog,
    pub hasher: PasswordHasher,
    pub metrics: Metrics,
    pub media: Arc<dyn MediaStore>,
    pub images: ImageWorkers,
}

impl AppState {
    /// Runs blocking database work on the blocking pool, never on the async workers.
    /// A pool timeout becomes 503 (the database is down or saturated).
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let turn = self.turns.take().await?;
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let _turn = turn;
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }

    /// A lookup by key (the session of a token, one row by its id): on SQLite, when a
    /// pooled connection is idle, it runs right here on the async worker. A WAL reader
    /// never waits for the writer, and an indexed lookup in the file takes a few
    /// microseconds: less than handing it to a blocking thread and waking this one
    /// again, which is most of a small read's cost. Otherwise (PostgreSQL, a network
    /// round trip away; or every connection busy) it goes to the blocking pool like any
    /// other query. Only for bounded work: a scan, a list or anything that writes goes
    /// through `db` or `write`.
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

/// First come, first served for the requests' connections: one turn per connection of
/// the pool, handed out in arrival order. The pool's own wait is not fair (a thread
/// that arrives as a connection comes back can take it ahead of one that has waited),
/// so with more requests in flight than connections a few waited hundreds of
/// milliseconds while the rest were served at once (a p99 of 140–430 ms against a
/// median of 7 ms for free slots on PostgreSQL, 16 connections on 10). Waiting here
/// also holds no blocking thread. A turn not given within `DB_TIMEOUT_MS` is 503,
/// like the pool's own timeout.
#[derive(Clone)]
pub struct Turns {
    semaphore: Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
}

impl Turns {
    pub fn new(connections: u32, wait: std::time::Duration) -> Turns {
        Turns {
            semaphore: Arc::new(tokio::sync::Semaphore::new(connections.max(1) as usize)),
            wait,
        }
    }

    async fn take(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(self.wait, self.semaphore.clone().acquire_owned()).await {
            Ok(Ok(turn)) => Ok(turn),
            // Timed out, or (never: it is not closed) closed.
            _ => Err(ApiError::unavailable("pool_timeout")),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Turns;
    use crate::error::ApiError;

    #[tokio::test]
    async fn turns_are_given_in_arrival_order_and_a_long_wait_is_503() {
        let turns = Turns::new(1, Duration::from_secs(5));
        let held = turns.take().await.unwrap();
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for who in 0..5 {
            let (turns, order) = (turns.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                let turn = turns.take().await.unwrap();
                order.lock().unwrap().push(who);
                tokio::task::yield_now().await;
                drop(turn);
            }));
            // Each is queued before the next arrives.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(held);
        for w in waiting {
            w.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);

        let short = Turns::new(1, Duration::from_millis(50));
        let _held = short.take().await.unwrap();
        assert!(matches!(short.take().await, Err(ApiError::Unavailable)));
    }
}
