//! The storage layer: SQLite settings on every pooled connection, the same schema on
//! both backends, and migrations that revert.
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use dermachart::db::{self, Backend, DbConnection};

use crate::helpers::{backend, spawn_app, test_settings, TestDatabase};

#[derive(QueryableByName, Debug)]
struct Int {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

#[derive(QueryableByName, Debug)]
struct Str {
    #[diesel(sql_type = Text)]
    value: String,
}

#[tokio::test]
async fn every_pooled_sqlite_connection_runs_wal_full_sync_with_foreign_keys() {
    if backend() != Backend::Sqlite {
        return;
    }
    let app = spawn_app().await;
    let pools = [app.background_pool().clone(), app.request_pool().clone()];
    tokio::task::spawn_blocking(move || {
        // Hold several of each pool at once so they are distinct connections.
        let mut conns: Vec<_> = pools
            .iter()
            .flat_map(|pool| (0..4).map(|_| pool.get().unwrap()))
            .collect();
        for conn in conns.iter_mut() {
            let conn: &mut DbConnection = conn;
            let mode = diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
                .get_result::<Str>(conn)
                .unwrap();
            assert_eq!(mode.value, "wal");
            let sync = diesel::sql_query("SELECT synchronous AS value FROM pragma_synchronous")
                .get_result::<Int>(conn)
                .unwrap();
            assert_eq!(sync.value, 2, "synchronous=FULL");
            let fk = diesel::sql_query("SELECT foreign_keys AS value FROM pragma_foreign_keys")
                .get_result::<Int>(conn)
                .unwrap();
            assert_eq!(fk.value, 1);
            let busy = diesel::sql_query("SELECT timeout AS value FROM pragma_busy_timeout")
                .get_result::<Int>(conn)
                .unwrap();
            assert!(busy.value >= 1000, "busy_timeout {}", busy.value);
        }
        // The first four are the background pool's (writable), the rest the requests'.
        for (n, conn) in conns.iter_mut().enumerate() {
            let conn: &mut DbConnection = conn;
            let read_only = diesel::sql_query("SELECT query_only AS value FROM pragma_query_only")
                .get_result::<Int>(conn)
                .unwrap();
            assert_eq!(
                read_only.value,
                i64::from(n >= 4),
                "query_only of connection {n}"
            );
        }
    })
    .await
    .unwrap();
}

/// On SQLite every write of a request goes to the one writer (group commit, audit rows
/// in the same transaction): the connections requests read through refuse writes, so a
/// write that slipped past `AppState::write` fails in every test instead of queueing
/// for the file lock behind the writer.
#[tokio::test]
async fn on_sqlite_the_requests_connections_refuse_writes_and_the_writer_takes_them() {
    if backend() != Backend::Sqlite {
        return;
    }
    let app = spawn_app().await;
    let pool = app.request_pool().clone();
    let (refused, read) = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        let conn: &mut DbConnection = &mut conn;
        let refused = diesel::sql_query("DELETE FROM login_failures").execute(conn);
        let read = diesel::sql_query("SELECT count(*) AS value FROM users").get_result::<Int>(conn);
        (refused, read.map(|r| r.value))
    })
    .await
    .unwrap();
    let err = refused.expect_err("a request connection refuses a write");
    assert!(
        err.to_string().contains("readonly"),
        "refused as read-only: {err}"
    );
    assert!(read.is_ok(), "and still reads: {read:?}");
    // Sign-in writes (throttle, session, audit row) and sign-out still work: they go to
    // the writer.
    let token = app.staff_token().await;
    let r = app.get(&token, "/api/v1/patients").await;
    assert_eq!(r.status(), 200);
    let r = app
        .post(&token, "/api/v1/auth/logout", &serde_json::json!({}))
        .await;
    assert_eq!(r.status(), 204);
    let r = app.get(&token, "/api/v1/patients").await;
    assert_eq!(r.status(), 401, "the sign-out was written");
}

/// (table, column) pairs of the live database, application tables only.
fn columns(conn: &mut DbConnection) -> Vec<(String, String)> {
    #[derive(QueryableByName)]
    struct Col {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        column_name: String,
    }
    let sql = match conn.backend() {
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name <> '__diesel_schema_migrations'"
        }
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '__diesel_schema_migrations'"
        }
    };
    let mut cols: Vec<(String, String)> = diesel::sql_query(sql)
        .load::<Col>(conn)
        .unwrap()
        .into_iter()
        .map(|c| (c.table_name, c.column_name))
        .collect();
    cols.sort();
    cols
}

/// What `src/db/schema.rs` declares — the contract both backends' migrations must meet
/// (read from the SQL diesel renders for `SELECT <all columns>` of each table).
fn declared_columns() -> Vec<(String, String)> {
    use dermachart::db::schema::*;
    let mut cols = Vec::new();
    macro_rules! add {
        ($($t:ident),*) => {$(
            let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(
                &$t::table.select($t::all_columns),
            )
            .to_string();
            let select = sql.split(" FROM ").next().unwrap();
            for qualified in select.trim_start_matches("SELECT ").split(", ") {
                let parts: Vec<&str> = qualified.split('.').map(|p| p.trim_matches('`')).collect();
                cols.push((parts[0].to_owned(), parts[1].to_owned()));
            }
        )*};
    }
    add!(
        patients,
        users,
        sessions,
        login_failures,
        audit_log,
        audit_mac_start,
        locations,
        rooms,
        practitioners,
        working_hours,
        time_off,
        services,
        appointments,
        idempotency_keys,
        reminders,
        calendar_tokens,
        consent_templates,
        consents,
        consultations,
        procedures,
        procedure_products,
        amendments,
        samples,
        sample_events,
        adverse_events,
        entered_in_error,
        measurements,
        photos,
        password_tokens,
        email_outbox
    );
    cols.sort();
    cols
}

#[tokio::test]
async fn the_migrated_schema_is_exactly_the_declared_one_on_this_backend() {
    let app = spawn_app().await;
    let live = app.with_db(columns).await;
    assert_eq!(live, declared_columns());
}

#[tokio::test]
async fn every_migration_reverts_and_reapplies() {
    let database = TestDatabase::new();
    let settings = test_settings(&database.url);
    tokio::task::spawn_blocking(move || {
        let pool = db::build_pool(
            &settings.database.database_url,
            &settings.database.pool_settings(),
        )
        .unwrap();
        let mut conn = pool.get().unwrap();
        db::run_migrations(&mut conn).unwrap();
        assert!(!columns(&mut conn).is_empty());
        db::revert_all_migrations(&mut conn).unwrap();
        assert_eq!(
            columns(&mut conn),
            vec![],
            "every table is gone after reverting"
        );
        db::run_migrations(&mut conn).unwrap();
        assert_eq!(columns(&mut conn), declared_columns());
    })
    .await
    .unwrap();
}
