//! Ten thousand concurrent mixed requests (reads, lists, searches, new patients, bookings
//! raced in pairs for one slot, stale edits) on the real app: every answer is one the
//! API promises (no 5xx), every answered read has its audit row and every 201 its
//! `create` row, nothing refused left a trace, no slot is double-booked, and the audit
//! chain verifies end to end. On SQLite this drives the group-committing writer with
//! refusals mixed into its batches; on PostgreSQL, concurrent transactions.
use std::collections::HashMap;
use std::sync::Arc;

use chrono::Duration;
use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::helpers::clinic::{clinic_with_settings, monday, Clinic};

const REQUESTS: usize = 10_000;
const IN_FLIGHT: usize = 32;
const PATIENTS: usize = 20;

/// What one request was, and what it answered.
#[derive(Debug)]
enum Outcome {
    Read(u16),
    Listed(u16, usize),
    CreatedPatient(u16, Option<String>),
    Booked(u16, Option<String>),
    StaleEdit(u16),
}

async fn one(c: &Clinic, patients: &[String], i: usize) -> Outcome {
    let app = &c.app;
    let patient = &patients[i % PATIENTS];
    let id_of = |v: &Value| v["id"].as_str().map(str::to_owned);
    match i % 10 {
        0..=3 => Outcome::Read(
            app.get(&c.desk, &format!("/api/v1/patients/{patient}"))
                .await
                .status()
                .as_u16(),
        ),
        4 | 9 => {
            let path = if i % 10 == 4 {
                let from = monday(1, 0, 0);
                format!(
                    "/api/v1/appointments?practitioner_id={}&from={}&to={}",
                    c.practitioners[0],
                    crate::helpers::urlencode(&from.to_rfc3339()),
                    crate::helpers::urlencode(&(from + Duration::days(7)).to_rfc3339())
                )
            } else {
                "/api/v1/patients?q=Load".to_owned()
            };
            let r = app.get(&c.desk, &path).await;
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let mut listed: Vec<&str> = body["items"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|a| a["patient_id"].as_str().or(a["id"].as_str()))
                        .collect()
                })
                .unwrap_or_default();
            listed.sort_unstable();
            listed.dedup();
            Outcome::Listed(status, listed.len())
        }
        5 => {
            let r = app
                .post(
                    &c.desk,
                    "/api/v1/patients",
                    &json!({"given_name": format!("Mixed{i}"), "family_name": "Newcomer",
                        "date_of_birth": "1980-05-17", "sex": "female"}),
                )
                .await;
            let status = r.status().as_u16();
            Outcome::CreatedPatient(status, id_of(&r.json().await.unwrap_or(Value::Null)))
        }
        6 | 7 => {
            // Both halves of a pair ask for the same practitioner and time for two
            // different patients: one is booked, the other is told 409.
            let slot = i64::try_from(i / 10).unwrap();
            let who = &patients[(i / 10 + i % 10) % PATIENTS];
            let r = c
                .book(
                    who,
                    &c.practitioners[0],
                    &c.consultation,
                    monday(1, 0, 0) + Duration::minutes(45 * slot),
                )
                .await;
            let status = r.status().as_u16();
            Outcome::Booked(status, id_of(&r.json().await.unwrap_or(Value::Null)))
        }
        _ => {
            let r = app
                .patch_if_match(
                    &c.desk,
                    &format!("/api/v1/patients/{patient}"),
                    "\"stale\"",
                    &json!({"phone": "+44 20 7946 0999"}),
                )
                .await;
            Outcome::StaleEdit(r.status().as_u16())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_concurrent_mixed_requests_leave_every_audit_row_and_a_verifying_chain() {
    let c = Arc::new(
        clinic_with_settings(json!([["00:00", "24:00"]]), |s| {
            s.clinic_timezone = chrono_tz::Tz::UTC;
        })
        .await,
    );
    let mut patients = Vec::new();
    for n in 0..PATIENTS {
        patients.push(
            c.app
                .create_patient(&c.desk, &format!("Load{n}"), "Person")
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let patients = Arc::new(patients);
    let before = c.app.audit_rows().await.len();

    let outcomes: Vec<Outcome> = futures_util::stream::iter(0..REQUESTS)
        .map(|i| {
            let c = c.clone();
            let patients = patients.clone();
            async move { one(&c, &patients, i).await }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;

    let mut statuses: HashMap<&'static str, HashMap<u16, usize>> = HashMap::new();
    let mut count = |kind: &'static str, status: u16| {
        *statuses.entry(kind).or_default().entry(status).or_default() += 1;
    };
    let (mut reads, mut listed, mut created) = (0, 0, Vec::new());
    for outcome in &outcomes {
        match outcome {
            Outcome::Read(s) => {
                count("read", *s);
                reads += usize::from(*s == 200);
            }
            Outcome::Listed(s, n) => {
                count("list", *s);
                listed += if *s == 200 { *n } else { 0 };
            }
            Outcome::CreatedPatient(s, id) => {
                count("create patient", *s);
                created.extend(id.clone().filter(|_| *s == 201));
            }
            Outcome::Booked(s, id) => {
                count("book", *s);
                created.extend(id.clone().filter(|_| *s == 201));
            }
            Outcome::StaleEdit(s) => count("stale edit", *s),
        }
    }
    let expected: HashMap<&str, HashMap<u16, usize>> = HashMap::from([
        ("read", HashMap::from([(200, 4 * REQUESTS / 10)])),
        ("list", HashMap::from([(200, 2 * REQUESTS / 10)])),
        ("create patient", HashMap::from([(201, REQUESTS / 10)])),
        (
            "book",
            HashMap::from([(201, REQUESTS / 10), (409, REQUESTS / 10)]),
        ),
        ("stale edit", HashMap::from([(412, REQUESTS / 10)])),
    ]);
    assert_eq!(statuses, expected, "every answer is one the API promises");

    // Every answered read and list has its rows, every 201 its one `create` row, and
    // nothing refused wrote any.
    let rows = c.app.audit_rows().await;
    let new_rows = &rows[before..];
    let reads_audited = new_rows
        .iter()
        .filter(|r| r.action == "read" && r.entity_type == "patient")
        .count();
    assert_eq!(reads_audited, reads, "one read row per answered read");
    let searches = new_rows.iter().filter(|r| r.action == "search").count();
    assert_eq!(searches, listed, "one search row per patient listed");
    for id in &created {
        let creates = new_rows
            .iter()
            .filter(|r| r.action == "create" && r.entity_id.as_deref() == Some(id.as_str()))
            .count();
        assert_eq!(creates, 1, "the create row of {id}");
    }
    assert_eq!(
        new_rows.iter().filter(|r| r.action == "create").count(),
        created.len(),
        "no create row without its record"
    );
    let booked = c
        .app
        .with_db(|conn| {
            use diesel::prelude::*;
            dermachart::db::schema::appointments::table
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(
        booked,
        i64::try_from(REQUESTS / 10).unwrap(),
        "only the 201s are stored"
    );
    assert_eq!(c.overlaps().await, 0, "no slot double-booked");

    let admin = c.admin.clone();
    let report: Value = c
        .app
        .get(&admin, "/api/v1/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["ok"], true, "{report}");
    let audited = c.app.audit_rows().await.len();
    assert!(
        report["rows_checked"].as_i64().unwrap() >= i64::try_from(audited).unwrap(),
        "the whole chain was checked: {report}"
    );
}
