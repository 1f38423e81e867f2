//! `/patients/{id}/measurements` and the outcome table.
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::clinic::{clinic, Clinic};
use crate::helpers::{assert_problem, error_fields, Session};

/// A signed facial 100 days ago, written straight into the database (history that the
/// API, rightly, will not let anyone backdate).
async fn past_signed_facial(
    c: &Clinic,
    author: &Session,
    patient: &str,
    days_ago: i64,
) -> DateTime<Utc> {
    let start: DateTime<Utc> = (Utc::now() - Duration::days(days_ago))
        .duration_trunc(Duration::hours(1))
        .unwrap();
    let a = c
        .book_ok(patient, &c.practitioners[0], &c.facial, start)
        .await;
    let (appt, pat, svc, by) = (
        a["id"].as_str().unwrap().parse().unwrap(),
        patient.parse().unwrap(),
        c.facial.parse().unwrap(),
        author.user_id,
    );
    c.app
        .with_db(move |conn| {
            use dermachart::db::models::notes::{self, ProcedureRow};
            let at = start.naive_utc();
            notes::insert_procedure(
                conn,
                &ProcedureRow {
                    id: dermachart::db::types::ProcedureId::new(),
                    patient_id: dermachart::db::types::PatientId(pat),
                    appointment_id: dermachart::db::types::AppointmentId(appt),
                    service_id: dermachart::db::types::ServiceId(svc),
                    consent_id: None,
                    author_id: by,
                    status: dermachart::domain::clinical::NoteStatus::Signed,
                    performed_at: at,
                    preparation: "{}".into(),
                    harvest: "{}".into(),
                    processing: "{}".into(),
                    application: "{}".into(),
                    products: "[]".into(),
                    complications: String::new(),
                    aftercare: String::new(),
                    signed_at: Some(at),
                    signed_by: Some(by),
                    content_sha256: Some("0".repeat(64)),
                    version: 1,
                    created_at: at,
                    updated_at: at,
                },
            )
            .unwrap();
        })
        .await;
    start
}

#[tokio::test]
async fn the_outcome_table_reports_change_from_baseline_with_known_numbers() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let measure = |patient: String, at: DateTime<Utc>, value: f64| {
        let c = &c;
        let token = author.token.clone();
        async move {
            let r = c.app.post(&token, &format!("/api/v1/patients/{patient}/measurements"),
                &json!({"measured_at": at.to_rfc3339(), "metric": "skin_moisture", "value": value, "unit": "[arb'U]", "device": "Corneometer CM 825"})).await;
            assert_eq!(r.status(), 201);
        }
    };
    // Two treated patients; a third has no baseline and is excluded.
    let mut starts = Vec::new();
    for (name, base, d14, d42) in [
        ("One", 40.0, 46.0, 50.0),
        ("Two", 20.0, 30.0, 26.0),
        ("Three", f64::NAN, 33.0, 35.0),
    ] {
        let p = c.patient(name).await;
        let start = past_signed_facial(&c, &author, &p, 60 + 2 * starts.len() as i64).await;
        if !base.is_nan() {
            measure(p.clone(), start - Duration::days(5), base).await;
        }
        measure(p.clone(), start + Duration::days(15), d14).await;
        measure(p.clone(), start + Duration::days(41), d42).await;
        starts.push(start);
    }
    let table: Value = c
        .app
        .get(
            &author.token,
            &format!(
                "/api/v1/outcomes?service_id={}&metric=skin_moisture",
                c.facial
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(table["unit"], "[arb'U]");
    assert_eq!(table["excluded"], 1);
    assert_eq!(
        table["offsets"][0],
        json!({"offset_days": 14, "n": 2, "mean": 8.0, "median": 8.0})
    );
    assert_eq!(
        table["offsets"][1],
        json!({"offset_days": 42, "n": 2, "mean": 8.0, "median": 8.0})
    );
    assert_eq!(table["offsets"][2]["n"], 0, "no reading near day 90 yet");

    // Units and ranges are the metric's own.
    let p = c.patient("Units").await;
    let r = c.app.post(&author.token, &format!("/api/v1/patients/{p}/measurements"),
        &json!({"measured_at": Utc::now().to_rfc3339(), "metric": "firmness", "value": 0.4, "unit": "cm"})).await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["unit"]);
    let r = c.app.post(&author.token, &format!("/api/v1/patients/{p}/measurements"),
        &json!({"measured_at": Utc::now().to_rfc3339(), "metric": "wrinkle_severity", "value": 7, "unit": "{score}"})).await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["value"]);
    assert_problem(
        c.app
            .get(
                &c.desk,
                &format!("/api/v1/outcomes?service_id={}&metric=gais", c.facial),
            )
            .await,
        403,
    )
    .await;
    let series: Value = c
        .app
        .get(
            &author.token,
            &format!("/api/v1/patients/{p}/measurements?metric=firmness"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(series["items"].as_array().unwrap().is_empty());
}
