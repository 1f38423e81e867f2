//! `/adverse-events`: lists, filters and the serious-event report deadline.
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::clinic::clinic;
use crate::helpers::clinical::ready_procedure;
use crate::helpers::{assert_problem, error_fields};

#[tokio::test]
async fn every_adverse_event_lists_newest_first_in_pages_with_optional_filters() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let q = c.patient("Bea").await;
    let mut made = Vec::new();
    for (patient, severity) in [(&p, "mild"), (&q, "serious"), (&p, "moderate")] {
        let r = c
            .app
            .post(
                &author.token,
                &format!("/api/v1/patients/{patient}/adverse-events"),
                &json!({"onset_at": Utc::now().to_rfc3339(), "kind": "swelling", "severity": severity,
                    "phase": "aftercare", "description": "Swelling.", "action_taken": "None."}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let e: Value = r.json().await.unwrap();
        made.push(e["id"].as_str().unwrap().to_owned());
    }
    let page = |query: String| {
        let c = &c;
        async move {
            let r = c
                .app
                .get(&c.admin, &format!("/api/v1/adverse-events{query}"))
                .await;
            assert_eq!(r.status(), 200, "{query}");
            r.json::<Value>().await.unwrap()
        }
    };
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Everything, newest first, without report_due_before.
    let all = page(String::new()).await;
    let newest_first: Vec<String> = made.iter().rev().cloned().collect();
    assert_eq!(ids(&all), newest_first);
    assert!(all["next_cursor"].is_null());
    // Two pages of two and one.
    let first = page("?limit=2".into()).await;
    assert_eq!(ids(&first), newest_first[..2]);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second = page(format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&second), newest_first[2..]);
    assert!(second["next_cursor"].is_null());
    // Filters.
    assert_eq!(
        ids(&page(format!("?patient_id={q}")).await),
        [made[1].clone()]
    );
    assert_eq!(
        ids(&page("?severity=moderate".into()).await),
        [made[2].clone()]
    );
    // A limit past any integer is clamped; an empty cursor is the first page.
    let huge = page("?limit=99999999999999999999999&cursor=".into()).await;
    assert_eq!(ids(&huge), newest_first);
}

#[tokio::test]
async fn a_serious_adverse_event_carries_a_15_day_report_deadline_until_reported() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let (procedure, _) = ready_procedure(&c, &author, &p).await;
    let body = |severity: &str| {
        json!({"procedure_id": procedure, "onset_at": Utc::now().to_rfc3339(), "kind": "infection",
        "severity": severity, "phase": "harvest", "description": "Redness at the harvest site.", "action_taken": "Oral antibiotics."})
    };
    let mild: Value = c
        .app
        .post(
            &author.token,
            &format!("/api/v1/patients/{p}/adverse-events"),
            &body("mild"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mild["report_due_at"], Value::Null);
    let r = c
        .app
        .post(
            &author.token,
            &format!("/api/v1/patients/{p}/adverse-events"),
            &body("serious"),
        )
        .await;
    assert_eq!(r.status(), 201);
    let serious: Value = r.json().await.unwrap();
    let recorded: DateTime<Utc> = serious["recorded_at"].as_str().unwrap().parse().unwrap();
    let due: DateTime<Utc> = serious["report_due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - recorded, Duration::days(15));
    assert_problem(
        c.app
            .post(
                &c.desk,
                &format!("/api/v1/patients/{p}/adverse-events"),
                &body("mild"),
            )
            .await,
        403,
    )
    .await;
    assert_problem(
        c.app
            .post(
                &c.admin,
                &format!("/api/v1/patients/{p}/adverse-events"),
                &body("mild"),
            )
            .await,
        403,
    )
    .await;
    let r = c
        .app
        .post(
            &author.token,
            &format!("/api/v1/patients/{p}/adverse-events"),
            &json!({"onset_at": Utc::now().to_rfc3339(),
        "kind": "rash", "severity": "mild", "phase": "harvest", "description": "x"}),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["kind"]);

    let soon = (Utc::now() + Duration::days(16))
        .to_rfc3339()
        .replace('+', "%2B");
    let due_list: Value = c
        .app
        .get(
            &c.admin,
            &format!("/api/v1/adverse-events?report_due_before={soon}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(due_list["items"].as_array().unwrap().len(), 1);
    // Upgrading the mild one starts its own clock.
    let up: Value = c
        .app
        .patch(
            &author.token,
            &format!("/api/v1/adverse-events/{}", mild["id"].as_str().unwrap()),
            &json!({"severity": "serious"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(up["report_due_at"].is_string());
    let r = c
        .app
        .post(
            &author.token,
            &format!(
                "/api/v1/adverse-events/{}/reported",
                serious["id"].as_str().unwrap()
            ),
            &json!({"reported_at": Utc::now().to_rfc3339(), "reference": "MHRA-2026-0042"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let due_list: Value = c
        .app
        .get(
            &c.admin,
            &format!("/api/v1/adverse-events?report_due_before={soon}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = due_list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![mild["id"].as_str().unwrap()],
        "the reported one is off the list"
    );
}

#[tokio::test]
async fn a_serious_adverse_event_downgraded_leaves_the_reporting_list() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;

    // A serious event downgraded leaves the reporting list.
    let e: Value = c.app.post(&author.token, &format!("/api/v1/patients/{p}/adverse-events"), &json!({"onset_at": Utc::now().to_rfc3339(),
        "kind": "swelling", "severity": "serious", "phase": "application", "description": "Marked swelling."})).await.json().await.unwrap();
    let down: Value = c
        .app
        .patch(
            &author.token,
            &format!("/api/v1/adverse-events/{}", e["id"].as_str().unwrap()),
            &json!({"severity": "moderate"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(down["report_due_at"], Value::Null);
}
