//! What every handler shares: the pool, the settings, the audit writer, the password
//! hasher, the media store and the image workers.
use std::sync::Arc;

use crate::audit::{AuditEvent, AuditLog};
use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use crate::db::{DbConnection, DbPool};
use crate::error::ApiError;
use crate::imaging::ImageWorkers;
use crate::media::MediaStore;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
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
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
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
