//! Bad input gets a clear problem+json 4xx and changes nothing; nothing answers a bare 500.
use serde_json::json;

use crate::helpers::clinic::clinic;
use crate::helpers::{assert_problem, error_fields, spawn_app};

async fn patient_count(app: &crate::helpers::TestApp) -> i64 {
    app.with_db(|conn| {
        use diesel::prelude::*;
        dermachart::db::schema::patients::table
            .count()
            .get_result::<i64>(conn)
            .unwrap()
    })
    .await
}

#[tokio::test]
async fn malformed_json_is_400_and_writes_nothing() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let before = patient_count(&app).await;
    let r = app
        .client
        .post(app.url("/api/v1/patients"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"given_name": "Ada", "#)
        .send()
        .await
        .unwrap();
    assert_problem(r, 400).await;
    assert_eq!(patient_count(&app).await, before);
}

#[tokio::test]
async fn an_unknown_field_is_422_naming_it() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            &json!({"given_name": "Ada", "family_name": "L", "date_of_birth": "1980-01-01", "role": "admin"}),
        )
        .await;
    let body = assert_problem(r, 422).await;
    assert_eq!(error_fields(&body), vec!["role"]);
}

#[tokio::test]
async fn a_wrong_type_is_422_naming_the_field() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            &json!({"given_name": "Ada", "family_name": "L", "date_of_birth": "1980-01-01", "fitzpatrick_type": "three"}),
        )
        .await;
    let body = assert_problem(r, 422).await;
    assert_eq!(error_fields(&body), vec!["fitzpatrick_type"]);
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            &json!({"given_name": "Ada", "date_of_birth": "1980-01-01"}),
        )
        .await;
    let body = assert_problem(r, 422).await;
    assert_eq!(error_fields(&body), vec!["family_name"]);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_413() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let huge = "x".repeat(1024 * 1024 + 10);
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            &json!({"given_name": huge, "family_name": "L", "date_of_birth": "1980-01-01"}),
        )
        .await;
    assert_problem(r, 413).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app
        .client
        .post(app.url("/api/v1/patients"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("given_name=Ada")
        .send()
        .await
        .unwrap();
    assert_problem(r, 415).await;
}

#[tokio::test]
async fn an_unknown_route_is_a_json_404_even_without_a_session() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/api/v1/no/such/thing"))
        .send()
        .await
        .unwrap();
    assert_problem(r, 404).await;
}

#[tokio::test]
async fn a_malformed_uuid_in_the_path_is_404() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app.get(&token, "/api/v1/patients/not-a-uuid").await;
    assert_problem(r, 404).await;
}

#[tokio::test]
async fn a_malformed_query_string_is_400() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app.get(&token, "/api/v1/patients?limit=lots").await;
    assert_problem(r, 400).await;
}

#[tokio::test]
async fn a_panicking_handler_answers_an_opaque_500_and_the_server_lives_on() {
    let app = spawn_app().await;
    for _ in 0..3 {
        let r = app.client.get(app.url("/test/panic")).send().await.unwrap();
        let body = assert_problem(r, 500).await;
        let text = body.to_string();
        assert!(
            !text.contains("deliberate"),
            "no panic text in the answer: {text}"
        );
        assert!(
            !text.contains(".rs"),
            "no source paths in the answer: {text}"
        );
    }
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_saturated_pool_answers_503_quickly_and_recovers_by_itself() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.database.db_pool_size = 1;
        s.database.db_timeout_ms = 300;
    })
    .await;
    let token = app.staff_token().await;
    // Hold the only connection, as a dead or saturated database would.
    let pool = app.request_pool().clone();
    let held = tokio::task::spawn_blocking(move || pool.get().unwrap())
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let r = app.get(&token, "/api/v1/patients").await;
    let body = assert_problem(r, 503).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "answered quickly"
    );
    assert!(!body.to_string().to_lowercase().contains("pool"));
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    drop(held);
    let r = app.get(&token, "/api/v1/patients").await;
    assert_eq!(r.status(), 200, "recovers once a connection is free");
}

#[tokio::test]
async fn a_postgres_database_that_refuses_connections_gives_503_then_recovers() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.database.db_timeout_ms = 500;
    })
    .await;
    if crate::helpers::backend() != dermachart::db::Backend::Postgres {
        // SQLite has no server to lose; the saturated-pool test covers it.
        return;
    }
    let token = app.staff_token().await;
    let url = std::env::var("TEST_DATABASE_URL").unwrap();
    let name = app
        .db
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let admin = |sql: String| {
        let url = url.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                use diesel::connection::SimpleConnection;
                use diesel::Connection;
                let mut c = diesel::PgConnection::establish(&url).unwrap();
                c.batch_execute(&sql).unwrap();
            })
            .await
            .unwrap()
        }
    };
    admin(format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
    ))
    .await;
    let started = std::time::Instant::now();
    let r = app.get(&token, "/api/v1/patients").await;
    assert_problem(r, 503).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await;
    let mut recovered = false;
    for _ in 0..20 {
        if app.get(&token, "/api/v1/patients").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(recovered, "the server recovers by itself");
}

#[tokio::test]
async fn a_known_path_with_another_method_is_405() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app.delete(&token, "/api/v1/audit").await;
    assert_problem(r, 405).await;
    let r = app
        .client
        .put(app.url("/api/v1/patients"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_problem(r, 405).await;
}

#[tokio::test]
async fn an_array_is_not_an_object_body() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let before = patient_count(&app).await;
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            // Every field in order: serde's derived structs would take this as an object.
            &json!([
                "Ada",
                "Lovelace",
                "1980-01-01",
                "female",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null
            ]),
        )
        .await;
    let body = assert_problem(r, 422).await;
    assert_eq!(error_fields(&body), vec!["body"]);
    assert_eq!(patient_count(&app).await, before);
    // Routes whose body is a list (working hours) still take one: tests/api/scheduling.rs.
}

#[tokio::test]
async fn a_wrong_type_answer_quotes_no_value() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            &json!({"given_name": "Ada", "family_name": "L", "date_of_birth": "1980-01-01",
                "allergies": "Zephyrinequill pollen"}),
        )
        .await;
    let body = assert_problem(r, 422).await;
    assert_eq!(error_fields(&body), vec!["allergies"]);
    assert!(!body.to_string().contains("Zephyrinequill"), "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("expected"));
    let admin = app.sign_in(dermachart::domain::role::Role::Admin).await;
    let r = app
        .post(
            &admin.token,
            "/api/v1/users",
            &json!({"email": "b@x.test", "password": 12345678901234567_u64,
                "display_name": "B", "role": "admin"}),
        )
        .await;
    let body = assert_problem(r, 422).await;
    assert_eq!(error_fields(&body), vec!["password"]);
    assert!(!body.to_string().contains("12345678901234567"), "{body}");
}

/// Sends a request head and part of its body, then nothing more; returns the answer.
async fn trickle(app: &crate::helpers::TestApp, path: &str, token: &str, headers: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n{headers}Content-Length: 1000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(b"{\"given_name\": \"A").await.unwrap();
    // The rest never comes; the server must give up on its own (the test waits 60 s at most).
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(60), stream.read(&mut answer))
        .await
        .expect("the server answers a stalled body")
        .unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

#[tokio::test]
async fn a_stalled_json_body_is_408_within_the_body_timeout_and_uploads_have_their_own() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.body_timeout_secs = 1;
        s.upload_timeout_secs = 2;
    })
    .await;
    let token = app.staff_token().await;
    let answer = trickle(
        &app,
        "/api/v1/patients",
        &token,
        "Content-Type: application/json\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    let answer = trickle(
        &app,
        "/api/v1/patients/import",
        &token,
        "Content-Type: text/csv\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_huge_limit_is_clamped_and_an_empty_cursor_is_none_on_every_list() {
    let c = clinic().await;
    for path in [
        "/api/v1/appointments",
        "/api/v1/patients",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/adverse-events",
    ] {
        for query in [
            "limit=99999999999999999999999",
            "cursor=",
            "limit=201&cursor=",
        ] {
            let r = c.app.get(&c.admin, &format!("{path}?{query}")).await;
            assert_eq!(r.status(), 200, "{path}?{query}");
        }
        let r = c.app.get(&c.admin, &format!("{path}?limit=0")).await;
        assert_problem(r, 422).await;
    }
}
