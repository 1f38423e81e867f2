//! `/samples`: a sample goes back only to its donor, once, in order, within its viability window.
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::clinic::{clinic, Clinic};
use crate::helpers::clinical::{ready_procedure, sample};
use crate::helpers::{assert_problem, error_fields, Session};

async fn event(
    c: &Clinic,
    author: &Session,
    sample: &Value,
    kind: &str,
    recipient: Option<&str>,
) -> reqwest::Response {
    c.app.post(&author.token, &format!("/api/v1/samples/{}/events", sample["id"].as_str().unwrap()),
        &json!({"kind": kind, "at": Utc::now().to_rfc3339(), "details": {"by": "lab"}, "patient_id": recipient})).await
}

#[tokio::test]
async fn a_sample_goes_back_only_to_its_donor_once_and_in_order() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    let (procedure, appt) = ready_procedure(&c, &author, &p).await;
    let s = sample(
        &c,
        &author,
        &p,
        &procedure,
        Utc::now() - Duration::minutes(30),
    )
    .await;
    let code = s["label_code"].as_str().unwrap();
    assert!(code.starts_with("AS-") && !code.contains("Ada") && !code.contains(&p));
    assert_eq!(s["status"], "harvested");
    assert_problem(event(&c, &author, &s, "applied", Some(&p)).await, 409).await;
    assert_eq!(
        event(&c, &author, &s, "processed", None).await.status(),
        200
    );
    assert_eq!(event(&c, &author, &s, "stored", None).await.status(), 200);
    let r = assert_problem(event(&c, &author, &s, "applied", Some(&q)).await, 409).await;
    assert!(
        r["detail"]
            .as_str()
            .unwrap()
            .contains("patient it was taken from"),
        "{r}"
    );
    let r = event(&c, &author, &s, "applied", Some(&p)).await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["status"], "applied");
    let kinds: Vec<&str> = done["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["processed", "stored", "applied"]);
    assert_eq!(done["events"][2]["patient_id"], p.as_str());
    assert_eq!(done["events"][2]["actor_id"], author.user_id.to_string());
    assert_problem(event(&c, &author, &s, "discarded", None).await, 409).await;
    assert!(
        c.app
            .sql("UPDATE sample_events SET kind = 'stored'")
            .await
            .is_err(),
        "custody history is append-only"
    );

    // A sample of another patient's procedure cannot be registered.
    let r = c
        .app
        .post(
            &author.token,
            "/api/v1/samples",
            &json!({"patient_id": q, "procedure_id": procedure,
        "harvested_at": Utc::now().to_rfc3339(), "site": "abdomen", "volume_ml": 5.0}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["procedure_id"]
    );
    // Front desk never sees samples.
    assert_problem(
        c.app
            .get(
                &c.desk,
                &format!("/api/v1/samples/{}", s["id"].as_str().unwrap()),
            )
            .await,
        403,
    )
    .await;

    // After the visit, nothing more can be applied.
    let late = sample(
        &c,
        &author,
        &p,
        &procedure,
        Utc::now() - Duration::minutes(10),
    )
    .await;
    assert_eq!(
        event(&c, &author, &late, "processed", None).await.status(),
        200
    );
    assert_eq!(c.act(&appt, "complete").await.status(), 200);
    assert_problem(event(&c, &author, &late, "applied", Some(&p)).await, 409).await;
}

#[tokio::test]
async fn a_sample_past_its_viability_window_or_discarded_is_never_applied() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let (procedure, _) = ready_procedure(&c, &author, &p).await;
    let old = sample(
        &c,
        &author,
        &p,
        &procedure,
        Utc::now() - Duration::hours(25),
    )
    .await;
    assert_eq!(
        event(&c, &author, &old, "processed", None).await.status(),
        200
    );
    let r = assert_problem(event(&c, &author, &old, "applied", Some(&p)).await, 409).await;
    assert!(r["detail"].as_str().unwrap().contains("viability"), "{r}");
    let gone = sample(
        &c,
        &author,
        &p,
        &procedure,
        Utc::now() - Duration::minutes(5),
    )
    .await;
    assert_eq!(
        event(&c, &author, &gone, "discarded", None).await.status(),
        200
    );
    assert_problem(event(&c, &author, &gone, "applied", Some(&p)).await, 409).await;
}

#[tokio::test]
async fn applying_a_sample_to_someone_else_is_refused_as_such_whatever_the_timing() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);

    let (procedure, _) = ready_procedure(&c, &author, &p).await;
    // The procedure signed first, as when this check lived in one test with the recall's.
    let path = format!("/api/v1/procedures/{procedure}");
    assert_eq!(
        c.app
            .post(&author.token, &format!("{path}/sign"), &json!({}))
            .await
            .status(),
        200
    );

    // Applying to someone else is refused as such (409), whatever the timing.
    let s = sample(
        &c,
        &author,
        &p,
        &procedure,
        Utc::now() - Duration::minutes(30),
    )
    .await;
    let r = c.app.post(&author.token, &format!("/api/v1/samples/{}/events", s["id"].as_str().unwrap()),
        &json!({"kind": "applied", "at": (Utc::now() - Duration::hours(2)).to_rfc3339(), "patient_id": q})).await;
    assert_problem(r, 409).await;
}
