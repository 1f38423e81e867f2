//! Retention: the scheduled job deletes old login failures, ended sessions, old
//! idempotency keys and spent password links, and leaves everything live alone.
use std::time::Duration;

use chrono::Duration as Age;
use diesel::prelude::*;

use dermachart::db::models::{password_tokens, sessions, throttle};
use dermachart::db::schema::sessions as sessions_t;
use dermachart::db::schema::{idempotency_keys, login_failures, password_tokens as tokens_t};
use dermachart::db::types::{PasswordTokenId, SessionId, UserId};
use dermachart::db::DbConnection;
use dermachart::domain::role::Role;

use crate::helpers::{spawn_app_with, TestApp};

fn session(
    conn: &mut DbConnection,
    user: UserId,
    tag: &str,
    last_seen: Age,
    expires: Age,
) -> SessionId {
    let now = dermachart::db::now();
    let id = SessionId::new();
    sessions::insert(
        conn,
        &sessions::NewSession {
            id,
            token_hash: &format!("retention-{tag}"),
            user_id: user,
            via_cookie: false,
            created_at: now - Age::hours(3),
            last_seen_at: now - last_seen,
            expires_at: now + expires,
        },
    )
    .unwrap();
    id
}

fn token(
    conn: &mut DbConnection,
    user: UserId,
    created: Age,
    expires: Age,
    used: bool,
) -> PasswordTokenId {
    let now = dermachart::db::now();
    let id = PasswordTokenId::new();
    password_tokens::insert(
        conn,
        &password_tokens::PasswordTokenRow {
            id,
            user_id: user,
            token_hash: format!("retention-{id}"),
            purpose: "reset".into(),
            expires_at: now + expires,
            used_at: used.then_some(now - created + Age::minutes(1)),
            created_at: now - created,
        },
    )
    .unwrap();
    id
}

fn idempotency_key(conn: &mut DbConnection, user: UserId, key: &str, age: Age) {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq("h"),
            idempotency_keys::status_code.eq(Some(201)),
            idempotency_keys::response_body.eq(Some("{}")),
            idempotency_keys::created_at.eq(dermachart::db::now() - age),
        ))
        .execute(conn)
        .unwrap();
}

/// What is left of the rows the test made, as (failure keys, sessions, keys, tokens).
type Left = (
    Vec<String>,
    Vec<SessionId>,
    Vec<String>,
    Vec<PasswordTokenId>,
);

async fn left(app: &TestApp, user: UserId) -> Left {
    app.with_db(move |conn| {
        let mut failures: Vec<String> = login_failures::table
            .select(login_failures::throttle_key)
            .filter(login_failures::throttle_key.like("retention-%"))
            .load(conn)
            .unwrap();
        failures.sort();
        let mut sessions: Vec<SessionId> = sessions_t::table
            .select(sessions_t::id)
            .filter(sessions_t::token_hash.like("retention-%"))
            .load(conn)
            .unwrap();
        sessions.sort_by_key(|s| s.to_string());
        let mut keys: Vec<String> = idempotency_keys::table
            .select(idempotency_keys::key)
            .filter(idempotency_keys::user_id.eq(user))
            .load(conn)
            .unwrap();
        keys.sort();
        let mut tokens: Vec<PasswordTokenId> = tokens_t::table
            .select(tokens_t::id)
            .filter(tokens_t::user_id.eq(user))
            .load(conn)
            .unwrap();
        tokens.sort_by_key(|t| t.to_string());
        (failures, sessions, keys, tokens)
    })
    .await
}

#[tokio::test]
async fn the_retention_job_deletes_expired_rows_and_keeps_live_ones() {
    // The job runs every 50 ms here (an hour by default).
    let app = spawn_app_with(|s| s.retention_interval_ms = 50).await;
    let live = app.sign_in(Role::Practitioner).await;
    let user = live.user_id;
    let expected = app
        .with_db(move |conn| {
            let now = dermachart::db::now();
            throttle::record_failure(conn, &["retention-old".into()], now - Age::minutes(61))
                .unwrap();
            throttle::record_failure(conn, &["retention-live".into()], now - Age::minutes(50))
                .unwrap();
            // Ended: past its absolute end, idle too long, logged out.
            session(conn, user, "expired", Age::minutes(1), Age::minutes(-1));
            session(conn, user, "idle", Age::minutes(31), Age::hours(5));
            let revoked = session(conn, user, "revoked", Age::minutes(1), Age::hours(5));
            sessions::revoke(conn, revoked, now).unwrap();
            let live_session = session(conn, user, "live", Age::minutes(5), Age::hours(5));
            idempotency_key(conn, user, "retention-old", Age::hours(25));
            idempotency_key(conn, user, "retention-live", Age::hours(23));
            // Used long ago, expired long ago: gone. Unused and valid, or used within
            // the hour the reset cap counts: kept.
            token(conn, user, Age::hours(2), Age::hours(22), true);
            token(conn, user, Age::hours(3), Age::hours(-2), false);
            let unused = token(conn, user, Age::hours(2), Age::hours(22), false);
            let recent = token(conn, user, Age::minutes(10), Age::minutes(50), true);
            let mut tokens = vec![unused, recent];
            tokens.sort_by_key(|t| t.to_string());
            (
                vec!["retention-live".to_owned()],
                vec![live_session],
                vec!["retention-live".to_owned()],
                tokens,
            )
        })
        .await;
    let mut now_left = left(&app, user).await;
    for _ in 0..200 {
        if now_left == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        now_left = left(&app, user).await;
    }
    assert_eq!(now_left, expected);
    // The signed-in session is untouched.
    assert_eq!(app.get(&live.token, "/api/v1/auth/me").await.status(), 200);
}

#[tokio::test]
async fn a_second_run_deletes_nothing_more() {
    let app = spawn_app_with(|_| {}).await;
    let user = app.sign_in(Role::Practitioner).await.user_id;
    app.with_db(move |conn| {
        let now = dermachart::db::now();
        throttle::record_failure(conn, &["retention-old".into()], now - Age::hours(2)).unwrap();
        idempotency_key(conn, user, "retention-old", Age::hours(30));
        dermachart::retention::prune(conn, now, Age::minutes(30))
            .unwrap()
            .unwrap();
        let failures: i64 = login_failures::table
            .filter(login_failures::throttle_key.eq("retention-old"))
            .count()
            .get_result(conn)
            .unwrap();
        assert_eq!(failures, 0);
        let second = dermachart::retention::prune(conn, now, Age::minutes(30))
            .unwrap()
            .unwrap();
        assert_eq!(second, dermachart::retention::Pruned::default());
    })
    .await;
}
