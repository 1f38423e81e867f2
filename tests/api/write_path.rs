//! The write path under races: one lock order for every booking path, a write and its
//! audit rows committed together, idempotent answers committed with the booking, and
//! the password-reset cap under concurrent requests.
use std::sync::Arc;

use chrono::Duration;
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::clinic::{clinic_with_settings, monday, Clinic};

/// A clinic whose portal patients may hold many open appointments (the races below
/// book one per round for the same patient).
async fn roomy_clinic() -> Clinic {
    clinic_with_settings(json!([["00:00", "24:00"]]), |s| {
        s.clinic_timezone = chrono_tz::Tz::UTC;
        s.portal_max_open = 100_000;
    })
    .await
}

/// A portal login and its patient id.
async fn portal_patient(c: &Clinic) -> (String, String) {
    let s = c.app.sign_in(Role::Patient).await;
    let me: Value = c
        .app
        .get(&s.token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    (s.token, me["patient_id"].as_str().unwrap().to_owned())
}

/// Staff and the patient themselves book the same practitioner, patient and time at
/// once: one wins, the rest are told 409; nobody waits into a deadlock (503).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_and_portal_bookings_raced_for_one_patient_and_slot_never_deadlock() {
    let c = Arc::new(roomy_clinic().await);
    let (portal, patient) = portal_patient(&c).await;
    let rounds = 40;
    let mut unavailable = 0;
    for round in 0..rounds {
        let at = monday(1, 0, 0) + Duration::minutes(45 * round);
        let barrier = Arc::new(tokio::sync::Barrier::new(10));
        let mut tasks = Vec::new();
        for i in 0..10 {
            let (c, barrier, portal, patient) =
                (c.clone(), barrier.clone(), portal.clone(), patient.clone());
            tasks.push(tokio::spawn(async move {
                let request =
                    if i % 2 == 0 {
                        c.app
                        .client
                        .post(c.app.url("/api/v1/appointments"))
                        .bearer_auth(&c.desk)
                        .json(&json!({"patient_id": patient, "practitioner_id": c.practitioners[0],
                            "service_id": c.consultation, "starts_at": at.to_rfc3339()}))
                    } else {
                        c.app
                            .client
                            .post(c.app.url("/api/v1/me/appointments"))
                            .bearer_auth(&portal)
                            .json(&json!({"practitioner_id": c.practitioners[0],
                            "service_id": c.consultation, "starts_at": at.to_rfc3339()}))
                    };
                barrier.wait().await;
                request.send().await.unwrap().status().as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        unavailable += statuses.iter().filter(|s| **s == 503).count();
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 409 || *s == 503),
            "round {round}: {statuses:?}"
        );
    }
    assert_eq!(unavailable, 0, "503s in {rounds} rounds of 10");
    assert_eq!(c.overlaps().await, 0);
}

/// A keyed booking's replay carries the first answer's status, body, `ETag` and
/// `Location` (staff and portal paths alike).
#[tokio::test]
async fn a_replayed_booking_carries_the_first_answers_etag_and_location() {
    let c = roomy_clinic().await;
    let (portal, _) = portal_patient(&c).await;
    let patient = c.patient("Ada").await;
    let staff_body = json!({"patient_id": patient, "practitioner_id": c.practitioners[1],
        "service_id": c.consultation, "starts_at": monday(1, 9, 0).to_rfc3339()});
    let portal_body = json!({"practitioner_id": c.practitioners[0],
        "service_id": c.consultation, "starts_at": monday(1, 9, 0).to_rfc3339()});
    for (path, token, body) in [
        ("/api/v1/appointments", c.desk.clone(), staff_body),
        ("/api/v1/me/appointments", portal.clone(), portal_body),
    ] {
        let send = || {
            c.app
                .client
                .post(c.app.url(path))
                .bearer_auth(&token)
                .header("idempotency-key", "replay-me")
                .json(&body)
                .send()
        };
        let first = send().await.unwrap();
        assert_eq!(first.status(), 201, "{path}");
        let again = send().await.unwrap();
        assert_eq!(again.status(), 201, "{path}");
        for name in ["etag", "location", "content-type"] {
            assert!(first.headers().get(name).is_some(), "{path}: first {name}");
            assert_eq!(
                first.headers().get(name),
                again.headers().get(name),
                "{path}: {name}"
            );
        }
        assert_eq!(
            again.headers().get("idempotent-replay").unwrap(),
            "true",
            "{path}"
        );
        let (a, b): (Value, Value) = (first.json().await.unwrap(), again.json().await.unwrap());
        assert_eq!(a, b, "{path}");
    }
    let list: Value = c
        .app
        .get(&c.desk, "/api/v1/appointments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

/// Reset links issued to this user, straight from the database.
async fn reset_links(app: &crate::helpers::TestApp, user: dermachart::db::types::UserId) -> i64 {
    app.with_db(move |conn| {
        use dermachart::db::schema::password_tokens;
        use diesel::prelude::*;
        password_tokens::table
            .filter(password_tokens::user_id.eq(user))
            .filter(password_tokens::purpose.eq("reset"))
            .count()
            .get_result::<i64>(conn)
            .unwrap()
    })
    .await
}

/// Twelve reset requests for one account at once issue at most the hourly cap (3).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_password_resets_for_one_account_stay_within_the_hourly_cap() {
    let app = Arc::new(crate::helpers::spawn_app().await);
    let staff = app.sign_in(Role::FrontDesk).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(12));
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (app, barrier, email) = (app.clone(), barrier.clone(), staff.email.clone());
        tasks.push(tokio::spawn(async move {
            let request = app
                .client
                .post(app.url("/api/v1/auth/password-reset"))
                .json(&json!({"email": email}));
            barrier.wait().await;
            request.send().await.unwrap().status().as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 202);
    }
    // The links are issued after the answer: wait for the cap's worth, then give any
    // request over the cap time to (wrongly) issue one too.
    for _ in 0..100 {
        if reset_links(&app, staff.user_id).await >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert_eq!(reset_links(&app, staff.user_id).await, 3);
    let audited = app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.entity_type == "password_reset")
        .count();
    assert_eq!(audited, 3, "one audit row per issued link");
}

/// While the audit log refuses rows (a trigger stands in for a crash between the two
/// commits), a write must not happen either: the change and its audit rows are one
/// transaction. A keyed booking that failed so is booked by its retry.
#[tokio::test]
async fn a_write_whose_audit_rows_cannot_be_written_does_not_happen() {
    let c = roomy_clinic().await;
    let patient = c.patient("Ada").await;
    let refuse = match crate::helpers::backend() {
        dermachart::db::Backend::Sqlite => {
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END;"
        }
        dermachart::db::Backend::Postgres => {
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'audit refused by the test'; END; $$; \
             CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION refuse_audit();"
        }
    };
    c.app.sql(refuse).await.unwrap();
    let booking = json!({"patient_id": patient, "practitioner_id": c.practitioners[0],
        "service_id": c.consultation, "starts_at": monday(1, 9, 0).to_rfc3339()});
    let keyed = || {
        c.app
            .client
            .post(c.app.url("/api/v1/appointments"))
            .bearer_auth(&c.desk)
            .header("idempotency-key", "audit-down")
            .json(&booking)
            .send()
    };
    let r = keyed().await.unwrap();
    assert!(r.status().is_server_error(), "booking: {}", r.status());
    let r = c
        .app
        .post(
            &c.desk,
            "/api/v1/patients",
            &json!({"given_name": "Unaudited", "family_name": "Write",
                "date_of_birth": "1980-05-17", "sex": "female"}),
        )
        .await;
    assert!(r.status().is_server_error(), "patient: {}", r.status());
    let (appointments, unaudited) = c
        .app
        .with_db(|conn| {
            use dermachart::db::schema::{appointments, patients};
            use diesel::prelude::*;
            (
                appointments::table.count().get_result::<i64>(conn).unwrap(),
                patients::table
                    .filter(patients::given_name.eq("Unaudited"))
                    .count()
                    .get_result::<i64>(conn)
                    .unwrap(),
            )
        })
        .await;
    assert_eq!(
        (appointments, unaudited),
        (0, 0),
        "nothing written without its audit row"
    );

    c.app
        .sql("DROP TRIGGER refuse_audit ON audit_log")
        .await
        .ok();
    c.app.sql("DROP TRIGGER IF EXISTS refuse_audit").await.ok();
    let r = keyed().await.unwrap();
    assert_eq!(r.status(), 201, "the retry books");
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(c
        .app
        .audit_rows()
        .await
        .iter()
        .any(|row| row.action == "create" && row.entity_id.as_deref() == Some(id.as_str())));
}

/// A 503 says why in the server's log, once, by kind only: the database's write lock
/// held elsewhere (SQLite), or every pooled connection busy (PostgreSQL).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_503_logs_its_cause_once_without_phi() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;

    let c = roomy_clinic().await;
    let patient = c.patient("Quillonia").await;
    let patient_path = format!("/api/v1/patients/{patient}");
    let client = reqwest::Client::new();
    let (server, cause) = match crate::helpers::backend() {
        dermachart::db::Backend::Sqlite => {
            let server = crate::helpers::ServerProcess::start(
                &c.app.db.url,
                &[("SQLITE_BUSY_TIMEOUT_MS", "100".to_owned())],
            )
            .await;
            let path = c.app.db.url.trim_start_matches("sqlite://").to_owned();
            let mut holder = diesel::SqliteConnection::establish(&path).unwrap();
            // The server may be writing (its start-up anchor, the audit writer): wait
            // for the lock rather than fail to take it.
            holder
                .batch_execute("PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE")
                .unwrap();
            let r = client
                .patch(server.url(&patient_path))
                .bearer_auth(&c.desk)
                .json(&json!({"phone": "+44 20 7946 0001"}))
                .send()
                .await
                .unwrap();
            holder.batch_execute("ROLLBACK").unwrap();
            assert_eq!(r.status(), 503);
            (server, "database_locked")
        }
        dermachart::db::Backend::Postgres => {
            let server = crate::helpers::ServerProcess::start(
                &c.app.db.url,
                &[
                    ("DB_POOL_SIZE", "1".to_owned()),
                    ("DB_TIMEOUT_MS", "200".to_owned()),
                    ("CLINIC_TIMEZONE", "UTC".to_owned()),
                ],
            )
            .await;
            // A booking waits on its practitioner's lock, held here, keeping the
            // server's only connection; the next request finds none free.
            let mut holder = diesel::PgConnection::establish(&c.app.db.url).unwrap();
            holder
                .batch_execute(&format!(
                    "SELECT pg_advisory_lock(hashtextextended('practitioner:{}', 0))",
                    c.practitioners[0]
                ))
                .unwrap();
            let booking = client
                .post(server.url("/api/v1/appointments"))
                .bearer_auth(&c.desk)
                .json(
                    &json!({"patient_id": patient, "practitioner_id": c.practitioners[0],
                    "service_id": c.consultation, "starts_at": monday(1, 9, 0).to_rfc3339()}),
                )
                .send();
            let booking = tokio::spawn(booking);
            // Wait until the booking holds the connection (it shows as waiting on the lock).
            let mut waited = false;
            for _ in 0..200 {
                let waiting = c
                    .app
                    .with_db(|conn| {
                        use diesel::prelude::*;
                        #[derive(QueryableByName)]
                        struct N {
                            #[diesel(sql_type = diesel::sql_types::BigInt)]
                            n: i64,
                        }
                        diesel::sql_query(
                            "SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
                             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                        )
                        .get_result::<N>(conn)
                        .unwrap()
                        .n
                    })
                    .await;
                if waiting > 0 {
                    waited = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            assert!(
                waited,
                "the booking never waited on the practitioner's lock"
            );
            let r = client
                .get(server.url(&patient_path))
                .bearer_auth(&c.desk)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 503);
            holder
                .batch_execute("SELECT pg_advisory_unlock_all()")
                .unwrap();
            assert_eq!(booking.await.unwrap().unwrap().status(), 201);
            (server, "pool_timeout")
        }
    };
    let log = server.log_text();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("answering 503"))
        .collect();
    assert_eq!(lines.len(), 1, "one line per 503: {lines:?}\n{log}");
    assert!(lines[0].contains(cause), "{}", lines[0]);
    assert!(!log.contains("Quillonia"), "no PHI in the log");
}
