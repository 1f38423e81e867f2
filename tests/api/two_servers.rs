//! Two real `dermachart` processes on one PostgreSQL database, as behind a load
//! balancer: staff, portal and mixed bookings raced for one practitioner and patient,
//! an `Idempotency-Key` sent to both at once, a session used and ended across them,
//! reminders and outbox emails sent once, and the audit chain intact afterwards.
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, DurationRound, Utc};
use serde_json::{json, Value};

use dermachart::db::Backend;
use dermachart::domain::role::Role;

use crate::helpers::clinic::{clinic_with_settings, monday};
use crate::helpers::mail::{smtp_sink, wait_for};
use crate::helpers::{backend, ServerProcess, PASSWORD};

const ROUNDS: i64 = 300;
const PER_ROUND: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_app_servers_on_one_database_book_once_share_sessions_and_send_each_email_once() {
    if backend() != Backend::Postgres {
        eprintln!(
            "two_servers: skipped on SQLite (one file, one writer: scale-out is PostgreSQL's); \
             run with TEST_DATABASE_URL to test it"
        );
        return;
    }
    let sink = smtp_sink(0).await;
    let c = Arc::new(
        clinic_with_settings(json!([["00:00", "24:00"]]), |s| {
            s.clinic_timezone = chrono_tz::Tz::UTC;
        })
        .await,
    );
    let env = vec![
        ("CLINIC_TIMEZONE", "UTC".to_owned()),
        ("PORTAL_MAX_OPEN", "100000".to_owned()),
        ("SMTP_URL", format!("smtp://127.0.0.1:{}", sink.port)),
        ("REMINDER_POLL_MS", "100".to_owned()),
        ("PUBLIC_URL", "https://clinic.example".to_owned()),
    ];
    let servers = Arc::new([
        ServerProcess::start(&c.app.db.url, &env).await,
        ServerProcess::start(&c.app.db.url, &env).await,
    ]);
    let portal = c.app.sign_in(Role::Patient).await;
    let me: Value = c
        .app
        .get(&portal.token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    let patient = me["patient_id"].as_str().unwrap().to_owned();
    let client = reqwest::Client::new();

    // Races: staff only, portal only, and mixed, alternating servers.
    let started = std::time::Instant::now();
    let mut tally: HashMap<u16, usize> = HashMap::new();
    for round in 0..ROUNDS {
        let at = (monday(1, 0, 0) + Duration::minutes(45 * round)).to_rfc3339();
        let barrier = Arc::new(tokio::sync::Barrier::new(PER_ROUND));
        let mut tasks = Vec::new();
        for i in 0..PER_ROUND {
            let staff = match round % 3 {
                0 => true,
                1 => false,
                _ => i % 2 == 0,
            };
            let server = &servers[i % 2];
            let request = if staff {
                client
                    .post(server.url("/api/v1/appointments"))
                    .bearer_auth(&c.desk)
                    .json(
                        &json!({"patient_id": patient, "practitioner_id": c.practitioners[0],
                        "service_id": c.consultation, "starts_at": at}),
                    )
            } else {
                client
                    .post(server.url("/api/v1/me/appointments"))
                    .bearer_auth(&portal.token)
                    .json(&json!({"practitioner_id": c.practitioners[0],
                        "service_id": c.consultation, "starts_at": at}))
            };
            let barrier = barrier.clone();
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                request.send().await.unwrap().status().as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        for s in &statuses {
            *tally.entry(*s).or_default() += 1;
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 409),
            "round {round}: {statuses:?}"
        );
    }
    let raced_for = started.elapsed();
    assert_eq!(c.overlaps().await, 0);

    // One key sent to both servers at once books once; both get the same answer.
    let keyed_patient = c.patient("Keyed").await;
    let keyed = json!({"patient_id": keyed_patient, "practitioner_id": c.practitioners[1],
        "service_id": c.consultation, "starts_at": monday(1, 12, 0).to_rfc3339()});
    let keyed_send = |server: usize| {
        client
            .post(servers[server].url("/api/v1/appointments"))
            .bearer_auth(&c.desk)
            .header("idempotency-key", "both-servers")
            .json(&keyed)
            .send()
    };
    let (a, b) = tokio::join!(keyed_send(0), keyed_send(1));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (201, 201));
    assert_eq!(a.headers().get("etag"), b.headers().get("etag"));
    assert_eq!(a.headers().get("location"), b.headers().get("location"));
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a["id"], b["id"]);

    // A session from one server works on the other; logout on one ends it on both.
    let staff = c.app.sign_in(Role::FrontDesk).await;
    let login: Value = client
        .post(servers[0].url("/api/v1/auth/login"))
        .json(&json!({"email": staff.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let me_on = |server: usize| {
        client
            .get(servers[server].url("/api/v1/auth/me"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(me_on(1).await.unwrap().status(), 200);
    let out = client
        .post(servers[0].url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success(), "logout: {}", out.status());
    assert_eq!(me_on(1).await.unwrap().status(), 401);
    assert_eq!(me_on(0).await.unwrap().status(), 401);

    // Due reminders (visits in a few hours; the reminder lead is a day) and password
    // resets, booked and asked for on either server: each email goes exactly once.
    let soon = Utc::now().duration_trunc(Duration::minutes(15)).unwrap() + Duration::hours(3);
    let mut recipients = Vec::new();
    for j in 0..6 {
        let name = format!("Remind{j}");
        let p = c.patient(&name).await;
        let r = client
            .post(servers[j % 2].url("/api/v1/appointments"))
            .bearer_auth(&c.desk)
            .json(&json!({"patient_id": p, "practitioner_id": c.practitioners[1],
                "service_id": c.consultation,
                "starts_at": (soon + Duration::minutes(45 * i64::try_from(j).unwrap())).to_rfc3339()}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        recipients.push(format!("{}.booker@example.org", name.to_lowercase()));
    }
    for j in 0..3 {
        let user = c.app.sign_in(Role::Practitioner).await;
        let r = client
            .post(servers[j % 2].url("/api/v1/auth/password-reset"))
            .json(&json!({"email": user.email}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        recipients.push(user.email);
    }
    // Twelve resets for one account split over both servers: the cap (3) holds.
    let capped = c.app.sign_in(Role::FrontDesk).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(12));
    let mut tasks = Vec::new();
    for k in 0..12 {
        let request = client
            .post(servers[k % 2].url("/api/v1/auth/password-reset"))
            .json(&json!({"email": capped.email}));
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            request.send().await.unwrap().status().as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 202);
    }
    wait_for(&sink.messages, recipients.len()).await;
    // Give a duplicate (or a fourth reset link) time to appear if there were one.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let messages = sink.messages.lock().unwrap().clone();
    for to in &recipients {
        let n = messages.iter().filter(|m| m.contains(to.as_str())).count();
        assert_eq!(n, 1, "emails to {to}");
    }
    let capped_id = capped.user_id;
    let links = c
        .app
        .with_db(move |conn| {
            use dermachart::db::schema::password_tokens;
            use diesel::prelude::*;
            password_tokens::table
                .filter(password_tokens::user_id.eq(capped_id))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(links, 3, "reset links for one account in an hour");

    let verify: Value = client
        .get(servers[1].url("/api/v1/audit/verify"))
        .bearer_auth(&c.admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verify["ok"], true, "{verify}");
    for (i, s) in servers.iter().enumerate() {
        let log = s.log_text().to_lowercase();
        assert!(!log.contains("deadlock"), "server {i} logged a deadlock");
        assert!(!log.contains("answering 503"), "server {i} answered 503");
    }
    eprintln!(
        "two servers: {ROUNDS} rounds of {PER_ROUND} in {raced_for:?}, statuses {tally:?}, {} emails",
        messages.len()
    );
}
