//! `kill -9` under booking load: the real binary is killed mid-flight and restarted.
//! Every acknowledged booking is in the database, no appointment or patient exists
//! without its `create` audit row, the chain verifies, and every request retried with
//! its `Idempotency-Key` gets its booking (the original answer when it was committed).
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::clinic::{clinic_with_settings, monday, Clinic};
use crate::helpers::ServerProcess;

const WORKERS: usize = 24;

/// Request i → its answer, or None when the server died before answering.
type Outcomes = HashMap<usize, Option<(u16, Value)>>;
const KILL_AFTER_ACKS: usize = 150;

fn server_env() -> Vec<(&'static str, String)> {
    vec![
        ("CLINIC_TIMEZONE", "UTC".into()),
        ("DB_POOL_SIZE", "16".into()),
        // A loaded 2-core CI machine may keep 24 writers waiting for SQLite's one write
        // lock (or a pooled connection) longer than the defaults; this test is about
        // crashes, so waiting is fine and a 503 here would be noise.
        ("SQLITE_BUSY_TIMEOUT_MS", "60000".into()),
        ("DB_TIMEOUT_MS", "60000".into()),
    ]
}

/// The i-th booking: distinct slots, so every key can book (no clash on retry).
fn booking(c: &Clinic, patients: &[String], i: usize) -> Value {
    let slot = i64::try_from(i / 2).unwrap();
    json!({"patient_id": patients[i % patients.len()], "practitioner_id": c.practitioners[i % 2],
        "service_id": c.consultation,
        "starts_at": (monday(1, 0, 0) + Duration::minutes(45 * slot)).to_rfc3339()})
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> reqwest::Result<(u16, Value)> {
    let r = client
        .post(url)
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.json().await.unwrap_or(Value::Null)))
}

/// (entity type, entity id) of every `create` audit row.
async fn created_in_audit(c: &Clinic) -> HashSet<(String, String)> {
    c.app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.action == "create")
        .filter_map(|r| r.entity_id.map(|id| (r.entity_type, id)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_under_booking_load_loses_no_booking_audit_row_or_answer() {
    let c = Arc::new(
        clinic_with_settings(json!([["00:00", "24:00"]]), |s| {
            s.clinic_timezone = chrono_tz::Tz::UTC;
        })
        .await,
    );
    let mut patients = Vec::new();
    for i in 0..8 {
        patients.push(c.patient(&format!("Crash{i}")).await);
    }
    let patients = Arc::new(patients);
    let mut first = ServerProcess::start(&c.app.db.url, &server_env()).await;
    let url = first.url("/api/v1/appointments");

    // Load: WORKERS clients book one distinct slot after another until the server dies.
    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let outcomes: Arc<Mutex<Outcomes>> = Arc::default();
    let client = reqwest::Client::new();
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (c, patients, next, acked, outcomes, client, url) = (
            c.clone(),
            patients.clone(),
            next.clone(),
            acked.clone(),
            outcomes.clone(),
            client.clone(),
            url.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let body = booking(&c, &patients, i);
                let answer = send(&client, &url, &c.desk, &format!("crash-{i}"), &body).await;
                match answer {
                    Ok(answer) => {
                        if answer.0 == 201 {
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                        outcomes.lock().unwrap().insert(i, Some(answer));
                    }
                    Err(_) => {
                        outcomes.lock().unwrap().insert(i, None);
                        return;
                    }
                }
            }
        }));
    }
    while acked.load(Ordering::SeqCst) < KILL_AFTER_ACKS {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    first.kill().await;
    for w in workers {
        w.await.unwrap();
    }
    let outcomes = Arc::try_unwrap(outcomes).unwrap().into_inner().unwrap();
    let cut_off = outcomes.values().filter(|o| o.is_none()).count();
    assert!(cut_off > 0, "the kill cut requests off");
    for (i, o) in &outcomes {
        if let Some((status, body)) = o {
            assert_eq!(*status, 201, "request {i} before the kill: {body}");
        }
    }

    // Restarted: every acknowledged booking is there, each with its audit row.
    let second = ServerProcess::start(&c.app.db.url, &server_env()).await;
    let stored: HashSet<String> = c
        .app
        .with_db(|conn| {
            dermachart::db::models::appointments::list(conn, &Default::default(), 100_000)
                .unwrap()
                .into_iter()
                .map(|a| a.id.to_string())
                .collect()
        })
        .await;
    for (status, body) in outcomes.values().flatten() {
        assert_eq!(*status, 201);
        assert!(
            stored.contains(body["id"].as_str().unwrap()),
            "acknowledged {body} is stored"
        );
    }
    let audited = created_in_audit(&c).await;
    for id in &stored {
        assert!(
            audited.contains(&("appointment".to_owned(), id.clone())),
            "appointment {id} has its create audit row"
        );
    }
    for p in patients.iter() {
        assert!(audited.contains(&("patient".to_owned(), p.clone())));
    }

    // Every request retried with its key: the original answer when it was committed,
    // a booking otherwise; never a clash with itself or "in progress".
    let retry_url = second.url("/api/v1/appointments");
    for (i, o) in &outcomes {
        let (status, body) = send(
            &client,
            &retry_url,
            &c.desk,
            &format!("crash-{i}"),
            &booking(&c, &patients, *i),
        )
        .await
        .unwrap();
        assert_eq!(status, 201, "retry of {i}: {body}");
        if let Some((_, first_body)) = o {
            assert_eq!(&body, first_body, "retry of {i} replays the first answer");
        }
    }
    let after: usize = c
        .app
        .with_db(|conn| {
            dermachart::db::models::appointments::list(conn, &Default::default(), 100_000)
                .unwrap()
                .len()
        })
        .await;
    assert_eq!(after, outcomes.len(), "one booking per key");
    let verify: Value = client
        .get(second.url("/api/v1/audit/verify"))
        .bearer_auth(&c.admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verify["ok"], true, "{verify}");
    eprintln!(
        "crash test: {} acknowledged, {cut_off} cut off by the kill, {after} bookings after retries",
        outcomes.values().flatten().count()
    );
}
