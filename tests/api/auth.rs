//! `/auth`: login, sessions, throttling, password change, TOTP, cookies and CSRF.
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::{assert_problem, error_fields, spawn_app, spawn_app_with, PASSWORD};

#[tokio::test]
async fn login_gives_an_opaque_token_that_opens_me_and_dies_at_logout() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::FrontDesk).await;
    // 256 random bits, URL-safe base64 without padding.
    assert!(s.token.len() >= 43, "token of at least 128 bits");
    let me: Value = app
        .get(&s.token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "front_desk");
    assert_eq!(me["email"], s.email);
    assert!(me.get("password_hash").is_none());
    let r = app.post(&s.token, "/api/v1/auth/logout", &json!({})).await;
    assert_eq!(r.status(), 204);
    assert_problem(app.get(&s.token, "/api/v1/auth/me").await, 401).await;
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Admin).await;
    let stored: Vec<String> = app
        .with_db(|conn| {
            use diesel::prelude::*;
            dermachart::db::schema::sessions::table
                .select(dermachart::db::schema::sessions::token_hash)
                .load(conn)
                .unwrap()
        })
        .await;
    assert!(!stored.contains(&s.token));
    assert!(stored.contains(&dermachart::auth::session::token_hash(&s.token)));
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_identically() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Practitioner).await;
    let wrong = app.login(&s.email, "not the right password").await;
    let unknown = app
        .login("nobody@test.dermachart", "not the right password")
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let a: Value = wrong.json().await.unwrap();
    let b: Value = unknown.json().await.unwrap();
    assert_eq!(a, b);
}

/// What one login attempt cost: argon2 verifications, throttle rows, audit rows.
async fn attempt_cost(app: &crate::helpers::TestApp, email: &str) -> (u64, i64, usize) {
    let count_rows = || {
        app.with_db(|conn| {
            use diesel::prelude::*;
            dermachart::db::schema::login_failures::table
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
    };
    let (hashes, throttle, audit) = (
        app.state.hasher.verifications(),
        count_rows().await,
        app.audit_rows().await.len(),
    );
    assert_eq!(
        app.login(email, "not the right password").await.status(),
        401
    );
    (
        app.state.hasher.verifications() - hashes,
        count_rows().await - throttle,
        app.audit_rows().await.len() - audit,
    )
}

#[tokio::test]
async fn every_failed_login_costs_the_same_work_whether_or_not_the_account_exists() {
    let app = spawn_app().await;
    let real = app.sign_in(Role::Practitioner).await;
    let inactive = app.sign_in(Role::FrontDesk).await;
    let admin = app.sign_in(Role::Admin).await;
    let r = app
        .patch(
            &admin.token,
            &format!("/api/v1/users/{}", inactive.user_id),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let wrong_password = attempt_cost(&app, &real.email).await;
    assert_eq!(
        wrong_password,
        (1, 3, 1),
        "one hash, three throttle rows, one audit row"
    );
    assert_eq!(
        attempt_cost(&app, "nobody@test.dermachart").await,
        wrong_password
    );
    assert_eq!(attempt_cost(&app, &inactive.email).await, wrong_password);
}

#[tokio::test]
async fn repeated_failures_for_one_account_from_one_peer_are_throttled_with_retry_after() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Practitioner).await;
    for _ in 0..5 {
        assert_eq!(app.login(&s.email, "wrong password!!").await.status(), 401);
    }
    // Tripped: refused before any password check, even the right one.
    let r = app.login(&s.email, PASSWORD).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    assert_problem(r, 429).await;
    // Unknown emails are counted the same way.
    for _ in 0..5 {
        app.login("ghost@test.dermachart", "wrong password!!").await;
    }
    assert_eq!(
        app.login("ghost@test.dermachart", "wrong password!!")
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn one_peer_trying_many_accounts_is_throttled() {
    let app = spawn_app_with(|s| s.login_limit_peer = 8).await;
    for i in 0..8 {
        app.login(&format!("user{i}@test.dermachart"), "wrong password!!")
            .await;
    }
    assert_eq!(
        app.login("another@test.dermachart", "wrong password!!")
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn an_admin_can_unlock_a_throttled_account() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let s = app.sign_in(Role::Practitioner).await;
    for _ in 0..5 {
        app.login(&s.email, "wrong password!!").await;
    }
    assert_eq!(app.login(&s.email, PASSWORD).await.status(), 429);
    let r = app
        .post(
            &admin.token,
            &format!("/api/v1/users/{}/unlock", s.user_id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(app.login(&s.email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn logins_are_audited_ok_and_failed_without_the_email() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Practitioner).await;
    app.login(&s.email, "wrong password!!").await;
    let rows = app.audit_rows().await;
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"login_succeeded"));
    assert!(actions.contains(&"login_failed"));
    let failed = rows.iter().find(|r| r.action == "login_failed").unwrap();
    assert_eq!(failed.actor_id, Some(s.user_id));
    // The success row names the session it opened (written in the same transaction).
    let hash = dermachart::auth::session::token_hash(&s.token);
    let session_id = app
        .with_db(move |conn| {
            use dermachart::db::schema::sessions::dsl::*;
            use diesel::prelude::*;
            sessions
                .filter(token_hash.eq(hash))
                .select(id)
                .first::<dermachart::db::types::SessionId>(conn)
                .unwrap()
        })
        .await;
    let succeeded = rows.iter().find(|r| r.action == "login_succeeded").unwrap();
    assert_eq!(succeeded.actor_id, Some(s.user_id));
    assert_eq!(succeeded.entity_id, Some(session_id.to_string()));
    for r in &rows {
        let all = format!("{r:?}");
        assert!(!all.contains(&s.email), "no email in the audit log");
    }
}

#[tokio::test]
async fn password_change_needs_the_current_password_and_ends_every_other_session() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Practitioner).await;
    let other: Value = app.login(&s.email, PASSWORD).await.json().await.unwrap();
    let other = other["token"].as_str().unwrap().to_owned();

    let r = app
        .post(
            &s.token,
            "/api/v1/auth/password",
            &json!({"current_password": "wrong password!!", "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["current_password"]
    );

    let r = app
        .post(
            &s.token,
            "/api/v1/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "password1234"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["new_password"]
    );

    let r = app
        .post(
            &s.token,
            "/api/v1/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["new_password"]
    );

    let r = app
        .post(
            &s.token,
            "/api/v1/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        app.get(&s.token, "/api/v1/auth/me").await.status(),
        200,
        "this session survives"
    );
    assert_eq!(
        app.get(&other, "/api/v1/auth/me").await.status(),
        401,
        "others die"
    );
    assert_eq!(app.login(&s.email, PASSWORD).await.status(), 401);
    assert_eq!(
        app.login(&s.email, "a brand new passphrase").await.status(),
        200
    );
}

#[tokio::test]
async fn deactivating_a_user_ends_their_sessions_and_logins() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let s = app.sign_in(Role::FrontDesk).await;
    let r = app
        .patch(
            &admin.token,
            &format!("/api/v1/users/{}", s.user_id),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(app.get(&s.token, "/api/v1/auth/me").await.status(), 401);
    assert_eq!(app.login(&s.email, PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn sessions_end_after_the_idle_and_the_absolute_timeout() {
    let app = spawn_app().await;
    let idle = app.sign_in(Role::FrontDesk).await;
    let old = app.sign_in(Role::FrontDesk).await;
    let (idle_hash, old_hash) = (
        dermachart::auth::session::token_hash(&idle.token),
        dermachart::auth::session::token_hash(&old.token),
    );
    app.with_db(move |conn| {
        use dermachart::db::schema::sessions::dsl::*;
        use diesel::prelude::*;
        let long_ago = dermachart::db::now() - chrono::Duration::hours(2);
        diesel::update(sessions.filter(token_hash.eq(idle_hash)))
            .set(last_seen_at.eq(long_ago))
            .execute(conn)
            .unwrap();
        diesel::update(sessions.filter(token_hash.eq(old_hash)))
            .set(expires_at.eq(long_ago))
            .execute(conn)
            .unwrap();
    })
    .await;
    assert_eq!(app.get(&idle.token, "/api/v1/auth/me").await.status(), 401);
    assert_eq!(app.get(&old.token, "/api/v1/auth/me").await.status(), 401);
}

/// The recorded last use of the session whose token hashes to `hash`.
fn last_seen(conn: &mut dermachart::db::DbConnection, hash: &str) -> chrono::NaiveDateTime {
    use dermachart::db::schema::sessions::dsl::*;
    use diesel::prelude::*;
    sessions
        .filter(token_hash.eq(hash))
        .select(last_seen_at)
        .first(conn)
        .unwrap()
}

/// The session's upkeep is written (through the writer, on SQLite): a request on a
/// session last seen a while ago moves its idle clock to now, so an active user stays
/// signed in; a session past its idle timeout is revoked on sight, not just refused.
#[tokio::test]
async fn activity_moves_the_idle_clock_and_an_expired_session_is_revoked_on_sight() {
    use dermachart::db::schema::sessions::dsl::*;
    use diesel::prelude::*;
    let app = spawn_app().await;
    let active = app.sign_in(Role::FrontDesk).await;
    let idle = app.sign_in(Role::FrontDesk).await;
    let (active_hash, idle_hash) = (
        dermachart::auth::session::token_hash(&active.token),
        dermachart::auth::session::token_hash(&idle.token),
    );
    let (a, i) = (active_hash.clone(), idle_hash.clone());
    app.with_db(move |conn| {
        let now = dermachart::db::now();
        diesel::update(sessions.filter(token_hash.eq(a)))
            .set(last_seen_at.eq(now - chrono::Duration::minutes(5)))
            .execute(conn)
            .unwrap();
        diesel::update(sessions.filter(token_hash.eq(i)))
            .set(last_seen_at.eq(now - chrono::Duration::hours(2)))
            .execute(conn)
            .unwrap();
    })
    .await;
    let asked = dermachart::db::now();
    assert_eq!(
        app.get(&active.token, "/api/v1/auth/me").await.status(),
        200
    );
    assert_eq!(app.get(&idle.token, "/api/v1/auth/me").await.status(), 401);
    let (seen, revoked) = app
        .with_db(move |conn| {
            let seen = last_seen(conn, &active_hash);
            let revoked: Option<chrono::NaiveDateTime> = sessions
                .filter(token_hash.eq(idle_hash))
                .select(revoked_at)
                .first(conn)
                .unwrap();
            (seen, revoked)
        })
        .await;
    assert!(
        seen >= asked,
        "the idle clock moved to the request: {seen} < {asked}"
    );
    assert!(revoked.is_some(), "the expired session is revoked");
}

/// A burst of requests on a session whose idle clock is stale (every one of them finds
/// it stale) writes the clock once, not once a request: each write took the row's lock
/// and, on PostgreSQL, a WAL flush of its own, and the requests behind them waited.
/// The writes are counted by a trigger this test adds to its own database.
#[tokio::test]
async fn a_burst_on_a_stale_session_moves_its_idle_clock_once() {
    use dermachart::db::schema::sessions::dsl::*;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use futures_util::StreamExt;
    let app = spawn_app().await;
    let s = app.sign_in(Role::FrontDesk).await;
    let hash = dermachart::auth::session::token_hash(&s.token);
    let h = hash.clone();
    app.with_db(move |conn| {
        let ddl: &[&str] = match crate::helpers::backend() {
            dermachart::db::Backend::Sqlite => &[
                "CREATE TABLE touch_log (seen TEXT NOT NULL)",
                "CREATE TRIGGER touch_logged AFTER UPDATE OF last_seen_at ON sessions \
                 BEGIN INSERT INTO touch_log VALUES (NEW.last_seen_at); END",
            ],
            dermachart::db::Backend::Postgres => &[
                "CREATE TABLE touch_log (seen timestamp NOT NULL)",
                "CREATE FUNCTION touch_logged() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN INSERT INTO touch_log VALUES (NEW.last_seen_at); RETURN NEW; END $$",
                "CREATE TRIGGER touch_logged AFTER UPDATE OF last_seen_at ON sessions \
                 FOR EACH ROW EXECUTE FUNCTION touch_logged()",
            ],
        };
        diesel::update(sessions.filter(token_hash.eq(h)))
            .set(last_seen_at.eq(dermachart::db::now() - chrono::Duration::minutes(5)))
            .execute(conn)
            .unwrap();
        for statement in ddl {
            diesel::sql_query(*statement).execute(conn).unwrap();
        }
    })
    .await;
    // On PostgreSQL the session's row is held locked meanwhile, as a slow commit would
    // hold it: the one request writing the clock waits for it, and the others are
    // served without waiting (they used to queue behind each other's writes).
    let holder = (crate::helpers::backend() == dermachart::db::Backend::Postgres).then(|| {
        let mut holder = diesel::PgConnection::establish(&app.db.url).unwrap();
        holder
            .batch_execute(&format!(
                "BEGIN; SELECT 1 FROM sessions WHERE token_hash = '{hash}' FOR UPDATE"
            ))
            .unwrap();
        holder
    });
    let asked = dermachart::db::now();
    let mut burst: futures_util::stream::FuturesUnordered<_> = (0..24)
        .map(|_| {
            let request = app.client.get(app.url("/api/v1/auth/me"));
            tokio::spawn(request.bearer_auth(&s.token).send())
        })
        .collect();
    let mut served = 0;
    let expect_now = if holder.is_some() { 23 } else { 24 };
    while served < expect_now {
        let answer = tokio::time::timeout(std::time::Duration::from_secs(30), burst.next())
            .await
            .unwrap_or_else(|_| {
                panic!("{served} of the burst answered; the rest wait for one session write")
            })
            .expect("a request")
            .expect("it ran")
            .expect("an answer");
        assert_eq!(answer.status(), 200, "every request of the burst is served");
        served += 1;
    }
    if let Some(mut holder) = holder {
        holder.batch_execute("COMMIT").unwrap();
        let last = burst.next().await.expect("the writer");
        let last = last.expect("it ran").expect("an answer");
        assert_eq!(
            last.status(),
            200,
            "the request writing the clock is served"
        );
    }
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let (writes, seen) = app
        .with_db(move |conn| {
            let writes = diesel::sql_query("SELECT COUNT(*) AS n FROM touch_log")
                .get_result::<Count>(conn)
                .unwrap()
                .n;
            (writes, last_seen(conn, &hash))
        })
        .await;
    assert_eq!(writes, 1, "the idle clock is written once for the burst");
    assert!(seen >= asked, "and it moved to the burst: {seen} < {asked}");
}

#[tokio::test]
async fn cookie_sessions_are_host_only_httponly_strict_and_refuse_cross_site_writes() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Practitioner).await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": s.email, "password": PASSWORD, "session": "cookie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "__Host-dermachart=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(set_cookie.contains(part), "{part} in {set_cookie}");
    }
    let body: Value = r.json().await.unwrap();
    assert!(
        body.get("token").is_none(),
        "no token in the body for cookie sessions"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    let r = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let patient =
        json!({"given_name": "Cross", "family_name": "Site", "date_of_birth": "1980-01-01"});
    let r = app
        .client
        .post(app.url("/api/v1/patients"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .json(&patient)
        .send()
        .await
        .unwrap();
    assert_problem(r, 403).await;
    let r = app
        .client
        .post(app.url("/api/v1/patients"))
        .header("cookie", &cookie)
        .json(&patient)
        .send()
        .await
        .unwrap();
    assert_problem(r, 403).await;
    let r = app
        .client
        .post(app.url("/api/v1/patients"))
        .header("cookie", &cookie)
        .header("origin", app.address.clone())
        .json(&patient)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

/// A cookie session's token (the `name=value` pair to send back).
async fn cookie_session(app: &crate::helpers::TestApp) -> String {
    let s = app.sign_in(Role::Practitioner).await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": s.email, "password": PASSWORD, "session": "cookie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    set_cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_csrf_check_compares_origin_with_public_url_not_with_forwarded_headers() {
    let app = spawn_app().await;
    let cookie = cookie_session(&app).await;
    let patient =
        json!({"given_name": "Cross", "family_name": "Site", "date_of_birth": "1980-01-01"});
    let write = |headers: Vec<(&'static str, &'static str)>| {
        let app = &app;
        let cookie = cookie.clone();
        let patient = patient.clone();
        async move {
            let mut request = app
                .client
                .post(app.url("/api/v1/patients"))
                .header("cookie", &cookie)
                .json(&patient);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            request.send().await.unwrap().status()
        }
    };
    for forged in [
        vec![
            ("origin", "http://evil.example"),
            ("x-forwarded-host", "evil.example"),
        ],
        vec![
            ("origin", "http://evil.example"),
            ("forwarded", "host=evil.example;proto=http"),
        ],
        vec![("origin", "http://evil.example"), ("host", "evil.example")],
        vec![
            ("origin", "https://evil.example"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "https"),
        ],
    ] {
        assert_eq!(write(forged.clone()).await, 403, "{forged:?}");
    }
    // The test server's PUBLIC_URL is its own origin (derived from the bound address).
    let own: &'static str = Box::leak(app.address.clone().into_boxed_str());
    assert_eq!(write(vec![("origin", own)]).await, 201);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_origin_and_public_url_are_ours() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        s.public_url = "https://clinic.example/".into();
    })
    .await;
    let cookie = cookie_session(&app).await;
    let patient =
        json!({"given_name": "Cross", "family_name": "Site", "date_of_birth": "1980-01-01"});
    let write = |headers: Vec<(&'static str, &'static str)>| {
        let app = &app;
        let cookie = cookie.clone();
        let patient = patient.clone();
        async move {
            let mut request = app
                .client
                .post(app.url("/api/v1/patients"))
                .header("cookie", &cookie)
                .json(&patient);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            request.send().await.unwrap().status()
        }
    };
    assert_eq!(write(vec![("origin", "https://clinic.example")]).await, 201);
    assert_eq!(
        write(vec![
            ("origin", "https://portal.clinic.example"),
            ("x-forwarded-host", "portal.clinic.example"),
            ("x-forwarded-proto", "https"),
        ])
        .await,
        201,
        "the proxy says which host it serves"
    );
    assert_eq!(write(vec![("origin", "http://evil.example")]).await, 403);
}

fn now_secs() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

#[tokio::test]
async fn totp_once_confirmed_is_required_at_login_and_a_code_cannot_be_replayed() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Practitioner).await;
    let r = app
        .post(
            &s.token,
            "/api/v1/auth/totp/enroll",
            &json!({"current_password": "wrong password!!"}),
        )
        .await;
    assert_problem(r, 422).await;
    let enrol: Value = app
        .post(
            &s.token,
            "/api/v1/auth/totp/enroll",
            &json!({"current_password": PASSWORD}),
        )
        .await
        .json()
        .await
        .unwrap();
    let secret = enrol["secret_base32"].as_str().unwrap().to_owned();
    assert!(enrol["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    // Not yet confirmed: the password alone still works.
    assert_eq!(app.login(&s.email, PASSWORD).await.status(), 200);

    let r = app
        .post(
            &s.token,
            "/api/v1/auth/totp/confirm",
            &json!({"current_password": PASSWORD, "code": "000000"}),
        )
        .await;
    assert_problem(r, 422).await;
    // Confirm with the previous step's code so the current one stays fresh for login.
    let code = dermachart::auth::totp::code_at(&secret, &s.email, now_secs() - 30).unwrap();
    let r = app
        .post(
            &s.token,
            "/api/v1/auth/totp/confirm",
            &json!({"current_password": PASSWORD, "code": code}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = app
        .post(
            &s.token,
            "/api/v1/auth/totp/enroll",
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert_problem(r, 409).await;

    let r = app.login(&s.email, PASSWORD).await;
    let body = assert_problem(r, 401).await;
    assert!(body["type"].as_str().unwrap().ends_with("totp-required"));
    // A wrong password never reveals that TOTP is on.
    let body = assert_problem(app.login(&s.email, "wrong password!!").await, 401).await;
    assert!(!body["type"].as_str().unwrap().ends_with("totp-required"));

    let code = dermachart::auth::totp::code_at(&secret, &s.email, now_secs()).unwrap();
    let login = |code: String| {
        let app = &app;
        let email = s.email.clone();
        async move {
            app.client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"email": email, "password": PASSWORD, "totp_code": code}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(login(code.clone()).await.status(), 200);
    let replay = assert_problem(login(code).await, 401).await;
    assert!(replay["type"].as_str().unwrap().ends_with("totp-required"));
}

#[tokio::test]
async fn an_admin_removing_totp_ends_the_users_sessions() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let s = app.sign_in(Role::FrontDesk).await;
    let enrol: Value = app
        .post(
            &s.token,
            "/api/v1/auth/totp/enroll",
            &json!({"current_password": PASSWORD}),
        )
        .await
        .json()
        .await
        .unwrap();
    let code = dermachart::auth::totp::code_at(
        enrol["secret_base32"].as_str().unwrap(),
        &s.email,
        now_secs(),
    )
    .unwrap();
    let r = app
        .post(
            &s.token,
            "/api/v1/auth/totp/confirm",
            &json!({"current_password": PASSWORD, "code": code}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = app
        .delete(&admin.token, &format!("/api/v1/users/{}/totp", s.user_id))
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(app.get(&s.token, "/api/v1/auth/me").await.status(), 401);
    assert_eq!(
        app.login(&s.email, PASSWORD).await.status(),
        200,
        "password alone again"
    );
}

#[tokio::test]
async fn removing_a_factor_nobody_enrolled_is_404_and_ends_no_session() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let other = app.sign_in(Role::FrontDesk).await;
    for (who, session) in [("the admin", &admin), ("another user", &other)] {
        let r = app
            .delete(
                &admin.token,
                &format!("/api/v1/users/{}/totp", session.user_id),
            )
            .await;
        assert_problem(r, 404).await;
        assert_eq!(
            app.get(&session.token, "/api/v1/auth/me").await.status(),
            200,
            "{who} is still signed in"
        );
    }
    let audited = app
        .audit_rows()
        .await
        .iter()
        .filter(|r| r.entity_type == "user_totp")
        .count();
    assert_eq!(audited, 0, "nothing was removed");
}

#[tokio::test]
async fn patients_cannot_enrol_totp() {
    let app = spawn_app().await;
    let p = app.sign_in(Role::Patient).await;
    let r = app
        .post(
            &p.token,
            "/api/v1/auth/totp/enroll",
            &json!({"current_password": PASSWORD}),
        )
        .await;
    assert_problem(r, 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_parallel_guesses_is_counted_before_any_password_is_checked() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Practitioner).await;
    let guesses = (0..30).map(|i| {
        let app = &app;
        let email = s.email.clone();
        async move {
            app.login(&email, &format!("wrong guess number {i}"))
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= 5,
        "only 5 guesses may reach the password check: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn guessing_the_current_password_from_a_session_is_throttled() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::FrontDesk).await;
    for _ in 0..5 {
        let r = app
            .post(&s.token, "/api/v1/auth/password", &json!({"current_password": "not it at all", "new_password": "a brand new passphrase"}))
            .await;
        assert_eq!(r.status(), 422);
    }
    let r = app
        .post(
            &s.token,
            "/api/v1/auth/password",
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_problem(r, 429).await;
}

#[tokio::test]
async fn an_absurdly_long_email_is_an_ordinary_401() {
    let app = spawn_app().await;
    let r = app
        .login(&format!("{}@x.test", "a".repeat(5000)), "whatever password")
        .await;
    assert_problem(r, 401).await;
}
