//! The patient portal: a patient's own appointments, consents, measurements and access
//! log — and nothing of anyone else's.
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::clinic::{clinic, monday, Clinic};
use crate::helpers::{assert_problem, urlencode, Session};

async fn portal_patient(c: &Clinic) -> (Session, String) {
    let s = c.app.sign_in(Role::Patient).await;
    let me: Value = c
        .app
        .get(&s.token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    let id = me["patient_id"].as_str().unwrap().to_owned();
    (s, id)
}

fn booking(c: &Clinic, service: &str, at: chrono::DateTime<Utc>) -> Value {
    json!({"practitioner_id": c.practitioners[0], "service_id": service, "starts_at": at.to_rfc3339()})
}

#[tokio::test]
async fn a_patient_books_and_cancels_their_own_appointments_within_the_portal_rules() {
    let c = clinic().await;
    let (me, my_id) = portal_patient(&c).await;
    let r = c
        .app
        .post(
            &me.token,
            "/api/v1/me/appointments",
            &booking(&c, &c.consultation, monday(1, 10, 0)),
        )
        .await;
    assert_eq!(r.status(), 201);
    let mine: Value = r.json().await.unwrap();
    assert_eq!(mine["patient_id"], my_id.as_str());
    assert_problem(
        c.app
            .post(
                &me.token,
                "/api/v1/me/appointments",
                &booking(&c, &c.facial, monday(2, 10, 0)),
            )
            .await,
        409,
    )
    .await;
    let soon = Utc::now() + Duration::minutes(30);
    assert_problem(
        c.app
            .post(
                &me.token,
                "/api/v1/me/appointments",
                &booking(&c, &c.consultation, soon),
            )
            .await,
        409,
    )
    .await;
    let mut with_patient = booking(&c, &c.consultation, monday(1, 12, 0));
    with_patient["patient_id"] = json!(my_id);
    assert_problem(
        c.app
            .post(&me.token, "/api/v1/me/appointments", &with_patient)
            .await,
        422,
    )
    .await;
    // The same conflict guarantees as the front desk's.
    let other = c.patient("Other").await;
    c.book_ok(
        &other,
        &c.practitioners[0],
        &c.consultation,
        monday(1, 14, 0),
    )
    .await;
    assert_problem(
        c.app
            .post(
                &me.token,
                "/api/v1/me/appointments",
                &booking(&c, &c.consultation, monday(1, 14, 15)),
            )
            .await,
        409,
    )
    .await;
    for (i, hour) in [9, 11].iter().enumerate() {
        let r = c
            .app
            .post(
                &me.token,
                "/api/v1/me/appointments",
                &booking(&c, &c.consultation, monday(3 + i as i64, *hour, 0)),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    assert_problem(
        c.app
            .post(
                &me.token,
                "/api/v1/me/appointments",
                &booking(&c, &c.consultation, monday(6, 9, 0)),
            )
            .await,
        409,
    )
    .await;

    let list: Value = c
        .app
        .get(&me.token, "/api/v1/me/appointments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["patient_id"] == my_id.as_str()));
    let id = mine["id"].as_str().unwrap();
    let r = c
        .app
        .post(
            &me.token,
            &format!("/api/v1/me/appointments/{id}/cancel"),
            &json!({"reason": "away"}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn another_patients_ids_are_indistinguishable_from_unknown_ones() {
    let c = clinic().await;
    let (me, _) = portal_patient(&c).await;
    let other = c.patient("Other").await;
    let theirs = c
        .book_ok(
            &other,
            &c.practitioners[0],
            &c.consultation,
            monday(1, 10, 0),
        )
        .await;
    let theirs = theirs["id"].as_str().unwrap();
    let random = uuid::Uuid::now_v7().to_string();
    for path in [
        format!("/api/v1/me/appointments/{theirs}"),
        format!("/api/v1/appointments/{theirs}"),
        format!("/api/v1/patients/{other}"),
    ] {
        let a = assert_problem(c.app.get(&me.token, &path).await, 404).await;
        let b = assert_problem(
            c.app
                .get(
                    &me.token,
                    &path.replace(
                        if path.contains(&other) {
                            &other
                        } else {
                            theirs
                        },
                        &random,
                    ),
                )
                .await,
            404,
        )
        .await;
        assert_eq!(a, b, "{path}");
    }
    let r = c
        .app
        .post(
            &me.token,
            &format!("/api/v1/me/appointments/{theirs}/cancel"),
            &json!({"reason": "mischief"}),
        )
        .await;
    assert_problem(r, 404).await;
    let got: Value = c
        .app
        .get(&c.desk, &format!("/api/v1/appointments/{theirs}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["status"], "booked", "nothing changed");
}

#[tokio::test]
async fn the_access_log_shows_which_staff_opened_my_chart_but_not_searches() {
    let c = clinic().await;
    let (me, my_id) = portal_patient(&c).await;
    let nurse = c.app.sign_in(Role::Practitioner).await;
    c.app
        .get(&nurse.token, &format!("/api/v1/patients/{my_id}"))
        .await;
    c.app.get(&nurse.token, "/api/v1/patients?q=portal").await;
    let log: Value = c
        .app
        .get(&me.token, "/api/v1/me/access-log")
        .await
        .json()
        .await
        .unwrap();
    let items = log["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["action"] == "read"
        && i["staff_role"] == "practitioner"
        && i["staff_display_name"] == "Test practitioner"));
    assert!(items.iter().all(|i| i["action"] != "search"));
    assert!(items
        .iter()
        .all(|i| i.get("actor_id").is_none() && i.get("ip").is_none()));
    assert_problem(c.app.get(&c.desk, "/api/v1/me/access-log").await, 403).await;
}

#[tokio::test]
async fn a_patient_signs_their_own_pending_consent_and_no_one_elses() {
    let c = clinic().await;
    let (me, my_id) = portal_patient(&c).await;
    let admin = c.app.sign_in(Role::Admin).await.token;
    let practitioner = c.app.sign_in(Role::Practitioner).await.token;
    let t = crate::helpers::consents::template(&c.app, &admin, "treatment", json!({})).await;
    let ask = |patient: String| {
        let (app, practitioner, t) = (&c.app, practitioner.clone(), t["id"].clone());
        async move {
            let r = app
                .post(
                    &practitioner,
                    &format!("/api/v1/patients/{patient}/consents"),
                    &json!({"template_id": t}),
                )
                .await;
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let mine = ask(my_id.clone()).await;
    let other = c.patient("Other").await;
    let theirs = ask(other.clone()).await;
    let signature = json!({"signer_name": "Portal User", "signature_png_base64": crate::helpers::consents::signature_png()});

    // Another patient's consent looks exactly like one that does not exist, and stays pending.
    let a = assert_problem(
        c.app
            .post(
                &me.token,
                &format!("/api/v1/me/consents/{theirs}/sign"),
                &signature,
            )
            .await,
        404,
    )
    .await;
    let random = uuid::Uuid::now_v7();
    let b = assert_problem(
        c.app
            .post(
                &me.token,
                &format!("/api/v1/me/consents/{random}/sign"),
                &signature,
            )
            .await,
        404,
    )
    .await;
    assert_eq!(a, b);
    let still: Value = c
        .app
        .get(&practitioner, &format!("/api/v1/consents/{theirs}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "pending");
    let refused = c
        .app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.action == "access_denied" && r.actor_id == Some(me.user_id))
        .count();
    assert_eq!(refused, 2, "both refusals are audited");

    // The body is the portal's: no signer_kind or guardian, nobody collects it.
    let mut with_kind = signature.clone();
    with_kind["signer_kind"] = json!("guardian");
    assert_problem(
        c.app
            .post(
                &me.token,
                &format!("/api/v1/me/consents/{mine}/sign"),
                &with_kind,
            )
            .await,
        422,
    )
    .await;
    let r = c
        .app
        .post(
            &me.token,
            &format!("/api/v1/me/consents/{mine}/sign"),
            &signature,
        )
        .await;
    assert_eq!(r.status(), 200);
    let signed: Value = r.json().await.unwrap();
    assert_eq!(signed["status"], "signed");
    assert_eq!(signed["signer_kind"], "patient");
    assert_eq!(
        signed.get("collected_by"),
        Some(&Value::Null),
        "a self-signed consent says collected_by: null"
    );
    assert!(signed["signed_text"]
        .as_str()
        .unwrap()
        .contains("stem cell facial"));
    assert_problem(
        c.app
            .post(
                &me.token,
                &format!("/api/v1/me/consents/{mine}/sign"),
                &signature,
            )
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn a_patient_reads_the_exact_text_of_a_consent_before_signing_it() {
    let c = clinic().await;
    let (me, my_id) = portal_patient(&c).await;
    let admin = c.app.sign_in(Role::Admin).await.token;
    let practitioner = c.app.sign_in(Role::Practitioner).await.token;
    let t = crate::helpers::consents::template(&c.app, &admin, "treatment", json!({})).await;
    let r = c
        .app
        .post(
            &practitioner,
            &format!("/api/v1/patients/{my_id}/consents"),
            &json!({"template_id": t["id"]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let pending: Value = r.json().await.unwrap();
    // The pending consent names its template version; the patient reads that version's text.
    let mine: Value = c
        .app
        .get(
            &me.token,
            &format!("/api/v1/me/consents/{}", pending["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = c
        .app
        .get(
            &me.token,
            &format!(
                "/api/v1/consent-templates/{}",
                mine["template_id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(r.status(), 200);
    let text: Value = r.json().await.unwrap();
    assert_eq!(text["body_markdown"], t["body_markdown"]);
    // The list of every template stays staff-only.
    assert_problem(c.app.get(&me.token, "/api/v1/consent-templates").await, 404).await;
}

/// Every `GET /me/...` route of the OpenAPI document (so a route added later is held
/// too) answers only after writing its audit row: a `read` (or `export`) by the patient,
/// of their own chart.
#[tokio::test]
async fn every_read_of_my_own_record_is_audited_as_mine() {
    let c = clinic().await;
    let (me, my_id) = portal_patient(&c).await;
    // Something behind every `{id}` read: an appointment and a pending consent of mine.
    let booked = c
        .app
        .post(
            &me.token,
            "/api/v1/me/appointments",
            &booking(&c, &c.consultation, monday(1, 10, 0)),
        )
        .await;
    assert_eq!(booked.status(), 201);
    let admin = c.app.sign_in(Role::Admin).await.token;
    let practitioner = c.app.sign_in(Role::Practitioner).await.token;
    let t = crate::helpers::consents::template(&c.app, &admin, "treatment", json!({})).await;
    let requested = c
        .app
        .post(
            &practitioner,
            &format!("/api/v1/patients/{my_id}/consents"),
            &json!({"template_id": t["id"]}),
        )
        .await;
    assert_eq!(requested.status(), 201);
    let doc: Value = c
        .app
        .get(&me.token, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let mut paths: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, ops)| p.starts_with("/api/v1/me") && ops.get("get").is_some())
        .map(|(p, _)| p.clone())
        .collect();
    paths.sort();
    assert!(paths.len() >= 8, "the /me reads: {paths:?}");
    let mut checked = 0;
    for path in paths {
        let concrete = if let Some(list) = path.strip_suffix("/{id}") {
            let page: Value = c.app.get(&me.token, list).await.json().await.unwrap();
            match page["items"].as_array().and_then(|i| i.first()) {
                Some(first) => format!("{list}/{}", first["id"].as_str().unwrap()),
                None => continue,
            }
        } else {
            path.clone()
        };
        let mine = |rows: &[dermachart::db::models::audit::AuditRow]| {
            rows.iter()
                .filter(|r| {
                    r.actor_role.as_deref() == Some("patient")
                        && (r.action == "read" || r.action == "export")
                        && r.patient_id.map(|p| p.to_string()) == Some(my_id.clone())
                })
                .count()
        };
        let before = mine(&c.app.audit_rows().await);
        let response = c.app.get(&me.token, &concrete).await;
        assert_eq!(response.status(), 200, "GET {concrete}");
        let after = mine(&c.app.audit_rows().await);
        assert!(
            after > before,
            "GET {concrete} answered without its audit row"
        );
        checked += 1;
    }
    // The seven lists and exports, plus one appointment and one consent by id.
    assert!(checked >= 9, "only {checked} /me reads could be tried");
}

/// A patient is offered only what online booking accepts: no free slot sooner than the
/// portal's lead time (`PORTAL_MIN_LEAD`, 120 minutes by default), where the front desk
/// still sees those slots.
#[tokio::test]
async fn a_patient_is_offered_no_slot_sooner_than_online_booking_accepts() {
    let c = clinic().await;
    let (me, _) = portal_patient(&c).await;
    let now = Utc::now();
    let path = format!(
        "/api/v1/availability?service_id={}&practitioner_id={}&from={}&to={}&step_minutes=15",
        c.consultation,
        c.practitioners[0],
        urlencode(&now.to_rfc3339()),
        urlencode(&(now + Duration::hours(6)).to_rfc3339()),
    );
    let starts = |v: Value| -> Vec<chrono::DateTime<Utc>> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["starts_at"].as_str().unwrap().parse().unwrap())
            .collect()
    };
    let lead = now + Duration::minutes(120);
    let desk = starts(c.app.get(&c.desk, &path).await.json().await.unwrap());
    assert!(
        desk.iter().any(|t| *t < lead),
        "the desk sees slots within the lead time"
    );
    let mine = starts(c.app.get(&me.token, &path).await.json().await.unwrap());
    assert!(!mine.is_empty(), "the patient is offered later slots");
    assert!(
        mine.iter().all(|t| *t >= lead - Duration::seconds(5)),
        "no slot sooner than the lead time: {mine:?}"
    );
    // And the booking path agrees: the earliest slot offered books.
    let r = c
        .app
        .post(
            &me.token,
            "/api/v1/me/appointments",
            &booking(&c, &c.consultation, mine[0]),
        )
        .await;
    assert_eq!(r.status(), 201);
}
