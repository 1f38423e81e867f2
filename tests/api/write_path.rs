//! The write path under races: one lock order for every booking path, a write and its
//! audit rows committed together, idempotent answers committed with the booking, and
//! the password-reset cap under concurrent requests.
use std::sync::Arc;

use chrono::Duration;
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::scheduling::{clinic_with_settings, monday, Clinic};

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
