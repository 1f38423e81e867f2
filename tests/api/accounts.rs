//! Portal accounts and password resets: links go by email only (a real SMTP
//! conversation on loopback), work once, expire, and end the user's sessions.
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::mail::{smtp_sink, wait_for, SmtpSink};
use crate::helpers::{assert_problem, spawn_app_with, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "a brand new portal passphrase";

async fn app_with_mail() -> (TestApp, SmtpSink) {
    let sink = smtp_sink(0).await;
    let port = sink.port;
    let app = spawn_app_with(move |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.reminder_poll_ms = 100;
        s.public_url = "https://clinic.example".into();
    })
    .await;
    (app, sink)
}

/// The token in the one message sent to `to` (undoing quoted-printable soft breaks).
fn token_in(messages: &[String], to: &str) -> String {
    let mine: Vec<&String> = messages.iter().filter(|m| m.contains(to)).collect();
    assert_eq!(mine.len(), 1, "exactly one email to {to}: {messages:?}");
    let text = mine[0].replace("=\n", "").replace("=3D", "=");
    let start = text
        .find("https://clinic.example/set-password#token=")
        .expect("a set-password link")
        + "https://clinic.example/set-password#token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn set_password(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/set-password"))
        .json(&json!({"token": token, "new_password": password}))
        .send()
        .await
        .unwrap()
}

async fn outbox_bodies(app: &TestApp) -> Vec<(String, Option<String>)> {
    app.with_db(|conn| {
        use dermachart::db::schema::email_outbox;
        use diesel::prelude::*;
        email_outbox::table
            .select((email_outbox::status, email_outbox::body))
            .load::<(String, Option<String>)>(conn)
            .unwrap()
    })
    .await
}

#[tokio::test]
async fn a_portal_account_link_goes_only_by_email_works_once_and_signs_the_patient_in() {
    let (app, sink) = app_with_mail().await;
    let desk = app.sign_in(Role::FrontDesk).await;
    // Registered by a colleague (whoever sets the email may not also send the login).
    let colleague = app.sign_in(Role::Practitioner).await;
    let patient = app.create_patient(&colleague.token, "Ines", "Portal").await;
    let pid = patient["id"].as_str().unwrap();
    let r = app
        .post(
            &desk.token,
            &format!("/api/v1/patients/{pid}/portal-account"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let text = r.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["expires_at", "user_id"],
        "no token in the answer: {text}"
    );
    wait_for(&sink.messages, 1).await;
    let messages = sink.messages.lock().unwrap().clone();
    let token = token_in(&messages, "ines.portal@example.org");
    assert!(token.len() >= 40, "a 256-bit token: {token}");
    assert!(!text.contains(&token));

    // No password works before the link is used.
    assert_eq!(
        app.login("ines.portal@example.org", PASSWORD)
            .await
            .status(),
        401
    );
    // The database keeps only the token's hash, and the sent email's body is erased.
    let hashes = app
        .with_db(|conn| {
            use dermachart::db::schema::password_tokens;
            use diesel::prelude::*;
            password_tokens::table
                .select(password_tokens::token_hash)
                .load::<String>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(hashes.len(), 1);
    assert_ne!(hashes[0], token);
    for _ in 0..50 {
        if outbox_bodies(&app).await.iter().all(|(s, _)| s == "sent") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(outbox_bodies(&app).await, vec![("sent".to_owned(), None)]);

    // A weak password is refused and does not use the link up.
    assert_problem(set_password(&app, &token, "password1234").await, 422).await;
    assert_eq!(set_password(&app, &token, NEW_PASSWORD).await.status(), 204);
    let login = app.login("ines.portal@example.org", NEW_PASSWORD).await;
    assert_eq!(login.status(), 200);
    let session: Value = login.json().await.unwrap();
    assert_eq!(session["user"]["role"], "patient");
    assert_eq!(session["user"]["patient_id"], pid);
    // Single use.
    let again = assert_problem(
        set_password(&app, &token, "yet another passphrase").await,
        422,
    )
    .await;
    assert_eq!(again["errors"][0]["field"], "token");
    // One login per patient.
    assert_problem(
        app.post(
            &desk.token,
            &format!("/api/v1/patients/{pid}/portal-account"),
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    // Issuing and using are audited, without the email in the log.
    let rows = app.audit_rows().await;
    assert!(rows
        .iter()
        .any(|r| r.entity_type == "portal_account" && r.action == "create"));
    assert!(rows
        .iter()
        .any(|r| r.entity_type == "user_password" && r.action == "update"));
    let dump = format!("{rows:?}");
    assert!(!dump.contains("ines.portal@example.org") && !dump.contains(&token));
}

#[tokio::test]
async fn a_patient_without_an_email_on_file_gets_no_portal_account_and_practitioners_cannot_issue_one(
) {
    let (app, _sink) = app_with_mail().await;
    let desk = app.sign_in(Role::FrontDesk).await;
    let patient = app.create_patient(&desk.token, "Noemail", "Person").await;
    let pid = patient["id"].as_str().unwrap();
    let r = app
        .patch(
            &desk.token,
            &format!("/api/v1/patients/{pid}"),
            &json!({"email": null}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let p = assert_problem(
        app.post(
            &desk.token,
            &format!("/api/v1/patients/{pid}/portal-account"),
            &json!({}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "email");
    let practitioner = app.sign_in(Role::Practitioner).await;
    assert_problem(
        app.post(
            &practitioner.token,
            &format!("/api/v1/patients/{pid}/portal-account"),
            &json!({}),
        )
        .await,
        403,
    )
    .await;
    let users = app
        .with_db(|conn| {
            use dermachart::db::schema::users;
            use diesel::prelude::*;
            users::table
                .filter(users::role.eq("patient"))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(users, 0);
}

#[tokio::test]
async fn a_password_reset_answers_alike_for_unknown_emails_and_its_link_ends_every_session() {
    let (app, sink) = app_with_mail().await;
    let staff = app.sign_in(Role::Practitioner).await;
    let reset = |email: &str| {
        app.client
            .post(app.url("/api/v1/auth/password-reset"))
            .json(&json!({"email": email}))
            .send()
    };
    let unknown = reset("nobody@example.org").await.unwrap();
    assert_eq!(unknown.status(), 202);
    let unknown_body = unknown.text().await.unwrap();
    let known = reset(&staff.email.to_uppercase()).await.unwrap();
    assert_eq!(known.status(), 202);
    assert_eq!(known.text().await.unwrap(), unknown_body);
    wait_for(&sink.messages, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let messages = sink.messages.lock().unwrap().clone();
    assert_eq!(
        messages.len(),
        1,
        "only the real account gets mail: {messages:?}"
    );
    assert!(!messages[0].contains("nobody@example.org"));
    let token = token_in(&messages, &staff.email);

    // The session from before the reset still works until the link is used.
    assert_eq!(app.get(&staff.token, "/api/v1/auth/me").await.status(), 200);
    assert_eq!(set_password(&app, &token, NEW_PASSWORD).await.status(), 204);
    assert_eq!(app.get(&staff.token, "/api/v1/auth/me").await.status(), 401);
    assert_eq!(app.login(&staff.email, PASSWORD).await.status(), 401);
    assert_eq!(app.login(&staff.email, NEW_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn an_expired_or_superseded_link_is_refused() {
    let (app, sink) = app_with_mail().await;
    let staff = app.sign_in(Role::FrontDesk).await;
    for n in 1..=2 {
        let r = app
            .client
            .post(app.url("/api/v1/auth/password-reset"))
            .json(&json!({"email": staff.email}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        // The link is issued after the answer: wait for it before asking again.
        wait_for(&sink.messages, n).await;
    }
    let messages = sink.messages.lock().unwrap().clone();
    let first = token_in(&messages[..1], &staff.email);
    let second = token_in(&messages[1..], &staff.email);
    // Only the newest link works.
    assert_problem(set_password(&app, &first, NEW_PASSWORD).await, 422).await;
    // Reset links live an hour: move this one's expiry into the past.
    app.with_db(|conn| {
        use dermachart::db::schema::password_tokens;
        use diesel::prelude::*;
        diesel::update(password_tokens::table)
            .set(
                password_tokens::expires_at
                    .eq(dermachart::db::now() - chrono::Duration::seconds(1)),
            )
            .execute(conn)
            .unwrap();
    })
    .await;
    assert_problem(set_password(&app, &second, NEW_PASSWORD).await, 422).await;
    assert_problem(set_password(&app, "made-up-token", NEW_PASSWORD).await, 422).await;
    assert_eq!(app.login(&staff.email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn whoever_changes_a_patients_email_cannot_also_send_its_portal_login() {
    let (app, sink) = app_with_mail().await;
    let desk = app.sign_in(Role::FrontDesk).await;
    let other_desk = app.sign_in(Role::FrontDesk).await;
    let admin = app.sign_in(Role::Admin).await;
    // Registered with an email by this desk: a one-person desk hands over the login
    // at registration.
    let p = app.create_patient(&desk.token, "Fouri", "Eyes").await;
    let path = format!(
        "/api/v1/patients/{}/portal-account",
        p["id"].as_str().unwrap()
    );
    assert_eq!(app.post(&desk.token, &path, &json!({})).await.status(), 201);

    // A desk that points an existing patient's email at itself cannot open the
    // portal; a colleague must (the same desk registering with that email can).
    let q = app.create_patient(&desk.token, "Target", "Patient").await;
    let qid = q["id"].as_str().unwrap();
    let r = app
        .patch(
            &other_desk.token,
            &format!("/api/v1/patients/{qid}"),
            &json!({"email": "attacker@example.org"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let p = assert_problem(
        app.post(
            &other_desk.token,
            &format!("/api/v1/patients/{qid}/portal-account"),
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("another staff member"));
    // Changing its own registration email later counts as a change too.
    let mine = app.create_patient(&desk.token, "Own", "Change").await;
    let mine = mine["id"].as_str().unwrap();
    let r = app
        .patch(
            &desk.token,
            &format!("/api/v1/patients/{mine}"),
            &json!({"email": "changed@example.org"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_problem(
        app.post(
            &desk.token,
            &format!("/api/v1/patients/{mine}/portal-account"),
            &json!({}),
        )
        .await,
        409,
    )
    .await;
    // Changing something else is no email change.
    let r = app
        .patch(
            &admin.token,
            &format!("/api/v1/patients/{qid}"),
            &json!({"phone": "+44 20 7946 0999"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.post(
            &admin.token,
            &format!("/api/v1/patients/{qid}/portal-account"),
            &json!({})
        )
        .await
        .status(),
        201
    );
    wait_for(&sink.messages, 2).await;
}

/// Mail goes out, but the sender polls only every ten minutes: anything that arrives
/// within the test's wait was sent because queuing it woke the sender.
async fn app_with_slow_poll() -> (TestApp, SmtpSink) {
    let sink = smtp_sink(0).await;
    let port = sink.port;
    let app = spawn_app_with(move |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.reminder_poll_ms = 600_000;
        s.public_url = "https://clinic.example".into();
    })
    .await;
    (app, sink)
}

#[tokio::test]
async fn a_reset_email_is_sent_when_queued_not_at_the_next_poll() {
    let (app, sink) = app_with_slow_poll().await;
    let staff = app.sign_in(Role::Practitioner).await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/password-reset"))
        .json(&json!({"email": staff.email}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    // Waits at most 30 s, far less than the 10-minute poll.
    wait_for(&sink.messages, 1).await;
}

#[tokio::test]
async fn on_postgresql_an_email_queued_by_another_app_server_wakes_the_sender() {
    if crate::helpers::backend() != dermachart::db::Backend::Postgres {
        return; // SQLite has one app server; its in-process wake is tested above.
    }
    let (app, sink) = app_with_slow_poll().await;
    // Written as another server would: straight into the database, no in-process wake.
    let queue = || {
        app.with_db(|conn| {
            conn.write_transaction(|conn| {
                dermachart::db::models::outbox::enqueue(
                    conn,
                    "someone@example.org",
                    "Resetting your password",
                    "A body.",
                    dermachart::db::now(),
                )
            })
            .unwrap();
        })
    };
    queue().await;
    // The first may go with the sender's first round at start-up; the second is
    // queued after a round, so only the notification can bring it before the poll.
    wait_for(&sink.messages, 1).await;
    queue().await;
    wait_for(&sink.messages, 2).await;
}
