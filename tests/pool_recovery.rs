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
    // r2d2 opens connections for waiting checkouts on threads of its own, and one
    // opened after the server dropped the others would be alive and handed out first
    // (the pool is a stack). Holding every connection the pool may have at once leaves
    // none still being opened, and it opens no more until a checkout finds none idle.
    // The connections are then dropped from one outside the pool, so none of the
    // pool's is alive, however the eight requests interleave (CI once saw a round
    // answered 200 eight times: it had met only live connections).
    let pool = app.request_pool().clone();
    let url = app.db.url.clone();
    let (opened, max, dropped) = tokio::task::spawn_blocking(move || {
        let held: Vec<_> = (0..pool.max_size())
            .map(|_| pool.get().expect("a connection"))
            .collect();
        let opened = pool.state().connections;
        drop(held);
        let mut outside = PgConnection::establish(&url).expect("a connection of its own");
        // With a timeout, pg_terminate_backend waits until each connection is gone.
        let dropped = diesel::sql_query(
            "SELECT count(pg_terminate_backend(pid, 5000)) AS value FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .get_result::<Int>(&mut outside)
        .unwrap()
        .value;
        (opened, pool.max_size(), dropped)
    })
    .await
    .expect("join");
    assert_eq!(opened, max, "the pool held every connection it may");
    assert!(
        dropped >= i64::from(max),
        "dropped {dropped} of {max} connections"
    );
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
