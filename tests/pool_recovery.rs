//! The pool after the database server dropped its connections. A process of its own:
//! the window in which checkouts test their connections is process-wide, and the API
//! suite's other tests open it too (`errors::a_postgres_database_that_refuses_…`).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on a broken fixture or answer"
)]

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use dermachart::db::{self, Backend};

#[path = "api/helpers/mod.rs"]
#[allow(dead_code, reason = "the API suite's helpers; this binary uses a few")]
mod helpers;

use helpers::{backend, spawn_app};

#[derive(QueryableByName)]
struct Int {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

/// On PostgreSQL a checkout does not test its connection (a round trip each time), so
/// connections the server dropped (a restart, an administrator) are found by use:
/// requests that meet one answer 503 (at most those running at that moment), and
/// from then on every checkout tests its connection and replaces the dead ones. The
/// pool heals with no restart of ours: a dead connection is never handed out twice.
#[tokio::test]
async fn on_postgres_connections_the_server_dropped_are_replaced_once_one_is_found() {
    if backend() != Backend::Postgres {
        return;
    }
    let app = spawn_app().await;
    let token = app.staff_token().await;
    // Eight requests at once: what they leave in the pool is what the next eight get.
    let round = || async {
        let requests: Vec<_> = (0..8)
            .map(|_| app.get(&token, "/api/v1/patients"))
            .collect();
        futures_util::future::join_all(requests)
            .await
            .into_iter()
            .map(|r| r.status().as_u16())
            .collect::<Vec<_>>()
    };
    assert!(round().await.iter().all(|s| *s == 200));
    let dropped = app
        .with_db(|conn| {
            diesel::sql_query(
                "SELECT count(pg_terminate_backend(pid)) AS value FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .get_result::<Int>(conn)
            .unwrap()
            .value
        })
        .await;
    assert!(dropped >= 2, "dropped {dropped} connections");
    assert!(
        !db::connection_recently_lost(),
        "nothing in this process lost a connection yet"
    );
    let first = round().await;
    assert!(
        first.iter().all(|s| *s == 200 || *s == 503),
        "a dead connection is a 503, never a 500: {first:?}"
    );
    assert!(
        db::connection_recently_lost(),
        "eight requests at once met a dead connection, and it was noted: {first:?}"
    );
    for _ in 0..3 {
        let later = round().await;
        assert!(
            later.iter().all(|s| *s == 200),
            "after {first:?}, dead connections were handed out again: {later:?}"
        );
    }
}
