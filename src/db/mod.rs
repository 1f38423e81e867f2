//! The database: one connection type over SQLite or PostgreSQL, its pool, migrations and transactions.
pub mod models;
pub mod schema;
pub mod stamp;
pub mod states;
pub mod types;

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// Runs `$body` with `$c` bound to the backend's own connection (`PgConnection` or
/// `SqliteConnection`) instead of the generic `DbConnection`, for the queries on the
/// hot paths. Through the generic connection diesel renders every query to SQL text
/// again on every run (its bind pass serialises the statement even when the prepared
/// statement is cached): about 5 % of a patient read on SQLite, in quoting and string
/// building. On the backend's own connection a query with a static shape is rendered
/// once per connection. The body is compiled once per backend, so it must build its
/// query inside (a boxed query takes its backend from `$c`).
macro_rules! native {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use native;

/// One multi-row `INSERT` of a slice of rows into a table, on whichever backend the
/// connection holds: through the generic `DbConnection` diesel inserts a slice row by
/// row (one statement each), so the backend's own connection is used. The caller keeps
/// each slice under the backend's bind-parameter limit.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        $crate::db::native!($conn, |c| diesel::insert_into($table)
            .values($rows)
            .execute(c))
    };
}
pub(crate) use insert_rows;

/// A connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<Manager>;
pub type PooledConn = PooledConnection<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The current instant as stored: UTC, to the microsecond (what both backends keep exactly).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// Which backend a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend, DbSetupError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite://") || url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(DbSetupError::UnknownScheme)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("DATABASE_URL must start with sqlite:// or postgres://")]
    UnknownScheme,
    #[error("cannot create the SQLite database folder: {0}")]
    Folder(std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot build the connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("migration failed: {0}")]
    Migration(String),
}

/// Turns `sqlite://PATH` into the path SQLite opens.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Opens connections for the pool, choosing the backend from the URL rather
/// than trying each in turn (SQLite would accept any string as a path).
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    pub fn new(url: &str) -> Result<Self, DbSetupError> {
        Ok(Self {
            url: url.to_owned(),
            backend: Backend::of_url(url)?,
        })
    }

    fn connect(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url).map(DbConnection::Postgres),
            Backend::Sqlite => {
                SqliteConnection::establish(sqlite_path(&self.url)).map(DbConnection::Sqlite)
            }
        }
    }
}

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        Manager::connect(self).map_err(diesel::r2d2::Error::ConnectionError)
    }

    /// Called on every checkout. A round trip per checkout was a quarter of a small
    /// read's time on PostgreSQL, so the connection is tested only for a while after
    /// some query found its connection closed (`note_connection_lost`): after a
    /// PostgreSQL restart, the requests that meet a dead connection before that answer
    /// 503, and every checkout after it tests and replaces the other dead ones. On
    /// SQLite a connection is a file handle, never found dead this way.
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        use diesel::r2d2::R2D2Connection;
        match conn {
            DbConnection::Postgres(_) if connection_recently_lost() => {
                conn.ping().map_err(diesel::r2d2::Error::QueryError)
            }
            _ => Ok(()),
        }
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.is_broken()
    }
}

/// How long a pooled connection may sit idle before the pool closes it.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// How long after a lost connection every checkout tests its connection first: longer
/// than a connection can sit idle in the pool (r2d2's reaper runs every 30 s), so every
/// connection that was in the pool when the server went away is either tested before it
/// is handed out or closed unused.
const TEST_AFTER_LOSS: Duration = Duration::from_secs(IDLE_TIMEOUT.as_secs() + 60);

/// When a query last found its connection closed. Process-wide: every pool of the
/// process reaches the same server.
static CONNECTION_LOST_AT: Mutex<Option<Instant>> = Mutex::new(None);

/// Whether a query's error says its connection is gone (the server restarted, or the
/// network or an administrator cut it): found so by this query, or by an earlier one
/// (then libpq cannot even send the command), or at the commit.
pub fn connection_lost(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => true,
        Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
            // libpq also refuses to send for other reasons (too many parameters).
            let message = info.message();
            message.contains("connection") || message.contains("server")
        }
        Error::RollbackErrorOnCommit { commit_error, .. } => connection_lost(commit_error),
        _ => false,
    }
}

/// A connection was found closed: the pools test each connection before handing it
/// out, for a while, so the other dead ones are replaced instead of failing a request
/// each.
pub fn note_connection_lost() {
    *CONNECTION_LOST_AT
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
}

/// A background job's failure: a lost connection is noted as a request's would be
/// (the jobs share the pool with the requests on PostgreSQL).
pub fn observe_failure(err: &anyhow::Error) {
    if err
        .downcast_ref::<diesel::result::Error>()
        .is_some_and(connection_lost)
    {
        note_connection_lost();
    }
}

/// Whether checkouts test their connection now (a connection was lost lately).
pub fn connection_recently_lost() -> bool {
    CONNECTION_LOST_AT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .is_some_and(|at| at.elapsed() < TEST_AFTER_LOSS)
}

/// SQLite settings applied to every pooled connection: durability and integrity
/// are per connection in SQLite, so a pool must set them on each one.
#[derive(Debug)]
struct ConnectionSettings {
    busy_timeout: Duration,
    read_only: bool,
}

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for ConnectionSettings {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        apply_settings(conn, self.busy_timeout).map_err(diesel::r2d2::Error::QueryError)?;
        if let (true, DbConnection::Sqlite(c)) = (self.read_only, conn) {
            c.batch_execute("PRAGMA query_only = ON")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

fn apply_settings(conn: &mut DbConnection, busy_timeout: Duration) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute(&format!(
            "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
            busy_timeout.as_millis()
        )),
        DbConnection::Postgres(c) => c.batch_execute("SET TIME ZONE 'UTC'"),
    }
}

/// A connection outside the pool, with the pool's settings (the SQLite writer's own).
pub fn open_connection(
    url: &str,
    busy_timeout: Duration,
) -> Result<DbConnection, diesel::ConnectionError> {
    let mut conn = Manager::new(url)
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?
        .connect()?;
    apply_settings(&mut conn, busy_timeout)
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    Ok(conn)
}

/// Pool settings from the configuration.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: u32,
    pub connection_timeout: Duration,
    pub busy_timeout: Duration,
    /// SQLite only: every connection refuses writes (`PRAGMA query_only`). The
    /// request pool is built so, because every write a request makes goes to the one
    /// writer (`AppState::write`); one that did not would fail in every test.
    pub read_only: bool,
}

/// Builds the pool. Start-up fails if the database cannot be reached at all.
pub fn build_pool(url: &str, settings: &PoolSettings) -> Result<DbPool, DbSetupError> {
    let manager = Manager::new(url)?;
    if manager.backend == Backend::Sqlite {
        let path = std::path::Path::new(sqlite_path(url));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(DbSetupError::Folder)?;
        }
    }
    let pool = Pool::builder()
        .max_size(settings.max_size)
        .min_idle(Some(1))
        .idle_timeout(Some(IDLE_TIMEOUT))
        .connection_timeout(settings.connection_timeout)
        .connection_customizer(Box::new(ConnectionSettings {
            busy_timeout: settings.busy_timeout,
            read_only: settings.read_only,
        }))
        .build(manager)?;
    Ok(pool)
}

/// Applies every pending migration of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> Result<(), DbSetupError> {
    let result = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| DbSetupError::Migration(e.to_string()))
}

/// Reverts every applied migration, newest first (used by the round-trip test).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<(), DbSetupError> {
    let result = match conn {
        DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| DbSetupError::Migration(e.to_string()))
}

impl DbConnection {
    /// Takes transaction-scoped advisory locks on PostgreSQL, one after another in the
    /// order given, in one statement (one round trip however many); a no-op on SQLite,
    /// where every writer already holds the one write lock.
    ///
    /// Only `scheduling::lock` calls this, with typed keys in one sorted order: two
    /// paths taking the same keys in different orders deadlock. `unnest ... WITH
    /// ORDINALITY` yields the keys in array order, and the sort on that ordinal keeps
    /// it, whether PostgreSQL evaluates the locks before or after sorting.
    pub(crate) fn advisory_xact_locks(&mut self, keys: &[String]) -> diesel::QueryResult<()> {
        if let DbConnection::Postgres(pg) = self {
            use diesel::RunQueryDsl;
            if keys.is_empty() {
                return Ok(());
            }
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) \
                 FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n",
            )
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(keys)
            .execute(pg)?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgres(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// How deep the connection's transactions nest: 0 outside any, 1 in a
    /// transaction, 2 and more in savepoints.
    pub(crate) fn transaction_depth(&mut self) -> diesel::QueryResult<u32> {
        let status = match self {
            DbConnection::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
            DbConnection::Postgres(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
        };
        Ok(status.transaction_depth()?.map_or(0, |d| d.get()))
    }

    /// Runs `f` in a transaction that holds the write lock from its first statement.
    ///
    /// On SQLite a deferred transaction that reads and then writes can fail at once
    /// with "database is locked" when another writer committed in between; `BEGIN
    /// IMMEDIATE` takes the lock up front (waiting up to `busy_timeout`) instead.
    /// PostgreSQL uses an ordinary transaction. Inside a transaction already (a write
    /// run by `AppState::write`, which on SQLite is the writer's batch, holding the
    /// lock), `f` runs in a savepoint of it. Only nest it there: in a deferred (read)
    /// transaction on SQLite a savepoint does not take the write lock up front, and a
    /// caller that promises its own short transaction (`queue::claim_each`) would
    /// quietly stretch into the outer one.
    pub fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        if self.transaction_depth()? > 0 {
            return self.transaction(f);
        }
        match self {
            DbConnection::Sqlite(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
            }
            DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
        }
        match f(self) {
            Ok(value) => {
                <DbConnection as Connection>::TransactionManager::commit_transaction(self)?;
                Ok(value)
            }
            Err(err) => {
                // The original error matters more than a failed rollback.
                let _ =
                    <DbConnection as Connection>::TransactionManager::rollback_transaction(self);
                Err(err)
            }
        }
    }
}

/// A trivial query: the database answers.
pub fn ping(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

/// SQLite's plan for a statement (`EXPLAIN QUERY PLAN …`, its values bound or left
/// unbound), one line per step: what tests assert to hold a query to its index.
#[cfg(test)]
pub(crate) fn sqlite_plan<Q>(conn: &mut SqliteConnection, explain: Q) -> Vec<String>
where
    Q: for<'a> diesel::query_dsl::LoadQuery<'a, SqliteConnection, PlanStep>,
{
    explain
        .load::<PlanStep>(conn)
        .expect("a plan")
        .into_iter()
        .map(|s| s.detail)
        .collect()
}

/// One step of `EXPLAIN QUERY PLAN`.
#[cfg(test)]
#[derive(diesel::QueryableByName)]
pub(crate) struct PlanStep {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}
