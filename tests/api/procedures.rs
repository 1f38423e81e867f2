//! `/procedures`: the consent gate, the eligibility gate, the appointment under way,
//! signing for ever, recalls by lot.
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::clinic::clinic;
use crate::helpers::clinical::{
    facial_today, no_contraindications, procedure_body, ready_procedure, sample,
    signed_consultation,
};
use crate::helpers::consents::signed_consent;
use crate::helpers::{assert_problem, error_fields};

#[tokio::test]
async fn a_procedure_needs_screening_and_a_valid_consent_as_of_the_act() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let (appt, template_id) = facial_today(&c, &p).await;
    let expiry = (Utc::now() + Duration::days(300))
        .format("%Y-%m-%d")
        .to_string();

    // Not screened yet.
    let body = procedure_body(&p, &appt, &c.facial, None, "LOT-1", &expiry);
    let r = c.app.post(&author.token, "/api/v1/procedures", &body).await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["consent_id"],
        "consent is required for this service"
    );

    // A pending consent is not enough.
    let pending: Value = c
        .app
        .post(
            &c.desk,
            &format!("/api/v1/patients/{p}/consents"),
            &json!({"template_id": template_id}),
        )
        .await
        .json()
        .await
        .unwrap();
    let body = procedure_body(
        &p,
        &appt,
        &c.facial,
        pending["id"].as_str(),
        "LOT-1",
        &expiry,
    );
    let r = assert_problem(
        c.app.post(&author.token, "/api/v1/procedures", &body).await,
        409,
    )
    .await;
    assert!(
        r["detail"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("consent"),
        "{r}"
    );

    let consent = signed_consent(&c.app, &author.token, &p, &template_id).await;
    let consent_id = consent["id"].as_str().unwrap().to_owned();
    let body = procedure_body(&p, &appt, &c.facial, Some(&consent_id), "LOT-1", &expiry);
    let r = assert_problem(
        c.app.post(&author.token, "/api/v1/procedures", &body).await,
        409,
    )
    .await;
    assert!(
        r["detail"].as_str().unwrap().contains("consultation"),
        "no screening yet: {r}"
    );

    signed_consultation(&c, &author, &p, json!({})).await;
    let body = procedure_body(&p, &appt, &c.facial, Some(&consent_id), "LOT-1", &expiry);
    let r = c.app.post(&author.token, "/api/v1/procedures", &body).await;
    assert_eq!(r.status(), 201);
    let procedure: Value = r.json().await.unwrap();
    assert_eq!(procedure["status"], "draft");
    assert_eq!(procedure["application"]["areas"][1]["area"], "cheeks");

    // Expired product: 422.
    let stale = procedure_body(
        &p,
        &appt,
        &c.facial,
        Some(&consent_id),
        "LOT-OLD",
        "2020-01-01",
    );
    assert_eq!(
        error_fields(
            &assert_problem(
                c.app
                    .post(&author.token, "/api/v1/procedures", &stale)
                    .await,
                422
            )
            .await
        ),
        vec!["products[0].expiry_date"]
    );

    // Revoked before signing: the sign re-runs the gate (as of performed_at: revoked after it is fine).
    let r = c
        .app
        .post(
            &author.token,
            &format!(
                "/api/v1/procedures/{}/sign",
                procedure["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let signed: Value = r.json().await.unwrap();
    assert_eq!(signed["content_sha256"].as_str().unwrap().len(), 64);

    // Recall by lot finds the patient.
    let recall: Value = c
        .app
        .get(&author.token, "/api/v1/procedures?product_lot=LOT-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(recall["items"][0]["patient_id"], p.as_str());
    assert_problem(
        c.app
            .get(&c.desk, "/api/v1/procedures?product_lot=LOT-1")
            .await,
        403,
    )
    .await;
    let none: Value = c
        .app
        .get(&c.admin, "/api/v1/procedures?product_lot=LOT-NOPE")
        .await
        .json()
        .await
        .unwrap();
    assert!(none["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn revoked_superseded_or_ineligible_blocks_the_procedure() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let (appt, template_id) = facial_today(&c, &p).await;
    let expiry = (Utc::now() + Duration::days(300))
        .format("%Y-%m-%d")
        .to_string();
    signed_consultation(&c, &author, &p, json!({})).await;

    let consent = signed_consent(&c.app, &author.token, &p, &template_id).await;
    let cid = consent["id"].as_str().unwrap().to_owned();
    c.app
        .post(
            &c.desk,
            &format!("/api/v1/consents/{cid}/revoke"),
            &json!({"reason": "withdrawn"}),
        )
        .await;
    let body = procedure_body(&p, &appt, &c.facial, Some(&cid), "L", &expiry);
    assert_problem(
        c.app.post(&author.token, "/api/v1/procedures", &body).await,
        409,
    )
    .await;

    let fresh = signed_consent(&c.app, &author.token, &p, &template_id).await;
    let fid = fresh["id"].as_str().unwrap().to_owned();
    let r = c.app.post(&c.admin, &format!("/api/v1/consent-templates/{template_id}/versions"), &json!({"title": "treatment consent",
        "body_markdown": "New risks described.", "scope": "treatment", "service_id": c.facial, "requires_reconsent": true})).await;
    assert_eq!(r.status(), 201);
    let body = procedure_body(&p, &appt, &c.facial, Some(&fid), "L", &expiry);
    let r = assert_problem(
        c.app.post(&author.token, "/api/v1/procedures", &body).await,
        409,
    )
    .await;
    assert!(r["detail"].as_str().unwrap().contains("Version 2"), "{r}");

    let newest = signed_consent(&c.app, &author.token, &p, &template_id).await;
    let nid = newest["id"].as_str().unwrap().to_owned();
    let mut ci = no_contraindications();
    ci["pregnancy"] = json!(true);
    signed_consultation(&c, &author, &p, json!({"contraindications": ci})).await;
    let body = procedure_body(&p, &appt, &c.facial, Some(&nid), "L", &expiry);
    let r = assert_problem(
        c.app.post(&author.token, "/api/v1/procedures", &body).await,
        409,
    )
    .await;
    assert!(
        r["detail"].as_str().unwrap().contains("not eligible"),
        "{r}"
    );
    assert_problem(
        c.app.post(&author.token, "/api/v1/procedures", &body).await,
        409,
    )
    .await;
    signed_consultation(&c, &author, &p, json!({})).await;
    // Judged as of the act: a procedure performed before the clearing consultation stays blocked …
    assert_problem(
        c.app.post(&author.token, "/api/v1/procedures", &body).await,
        409,
    )
    .await;
    // … one performed after it passes.
    let body = procedure_body(&p, &appt, &c.facial, Some(&nid), "L", &expiry);
    assert_eq!(
        c.app
            .post(&author.token, "/api/v1/procedures", &body)
            .await
            .status(),
        201,
        "a later eligible consultation clears it"
    );
}

#[tokio::test]
async fn a_procedure_needs_its_own_patients_appointment_under_way() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);
    let (appt, _) = facial_today(&c, &p).await;
    let expiry = (Utc::now() + Duration::days(300))
        .format("%Y-%m-%d")
        .to_string();
    let body = procedure_body(&q, &appt, &c.facial, None, "L", &expiry);
    assert_eq!(
        error_fields(
            &assert_problem(
                c.app.post(&author.token, "/api/v1/procedures", &body).await,
                422
            )
            .await
        ),
        vec!["appointment_id"]
    );
    let later = c
        .book_ok(
            &p,
            &c.practitioners[1],
            &c.consultation,
            crate::helpers::clinic::monday(1, 10, 0),
        )
        .await;
    let body = procedure_body(
        &p,
        later["id"].as_str().unwrap(),
        &c.consultation,
        None,
        "L",
        &expiry,
    );
    assert_problem(
        c.app.post(&author.token, "/api/v1/procedures", &body).await,
        409,
    )
    .await;
    assert_problem(c.app.post(&c.desk, "/api/v1/procedures", &body).await, 403).await;
}

#[tokio::test]
async fn an_expired_consent_blocks_and_a_signed_procedure_is_immutable_in_the_database() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let (appt, template_id) = facial_today(&c, &p).await;
    signed_consultation(&c, &author, &p, json!({})).await;
    let consent = signed_consent(&c.app, &author.token, &p, &template_id).await;
    let cid: uuid::Uuid = consent["id"].as_str().unwrap().parse().unwrap();
    // The consent ran out (as a `valid_for_days` template's would).
    c.app
        .with_db(move |conn| {
            use dermachart::db::schema::consents;
            use diesel::prelude::*;
            diesel::update(
                consents::table.filter(consents::id.eq(dermachart::db::types::ConsentId(cid))),
            )
            .set(
                consents::expires_at.eq(Some(dermachart::db::now() - chrono::Duration::minutes(1))),
            )
            .execute(conn)
            .unwrap();
        })
        .await;
    let expiry = (Utc::now() + Duration::days(300))
        .format("%Y-%m-%d")
        .to_string();
    let body = procedure_body(&p, &appt, &c.facial, Some(&cid.to_string()), "L", &expiry);
    let r = assert_problem(
        c.app.post(&author.token, "/api/v1/procedures", &body).await,
        409,
    )
    .await;
    assert!(r["detail"].as_str().unwrap().contains("expired"), "{r}");

    let fresh = signed_consent(&c.app, &author.token, &p, &template_id).await;
    let body = procedure_body(&p, &appt, &c.facial, fresh["id"].as_str(), "L", &expiry);
    let created: Value = c
        .app
        .post(&author.token, "/api/v1/procedures", &body)
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/procedures/{}", created["id"].as_str().unwrap());
    assert_eq!(
        c.app
            .post(&author.token, &format!("{path}/sign"), &json!({}))
            .await
            .status(),
        200
    );
    assert_problem(
        c.app
            .patch(&author.token, &path, &json!({"aftercare": "changed"}))
            .await,
        409,
    )
    .await;
    assert_problem(c.app.delete(&author.token, &path).await, 409).await;
    assert!(c
        .app
        .sql("UPDATE procedures SET aftercare = 'tampered'")
        .await
        .is_err());
}

#[tokio::test]
async fn a_draft_procedure_with_a_sample_cannot_be_deleted() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let (procedure, _) = ready_procedure(&c, &author, &p).await;
    sample(
        &c,
        &author,
        &p,
        &procedure,
        Utc::now() - Duration::minutes(5),
    )
    .await;
    assert_problem(
        c.app
            .delete(&author.token, &format!("/api/v1/procedures/{procedure}"))
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn an_amended_lot_is_found_by_a_recall_and_the_original_lot_stays_findable() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;

    let (procedure, _) = ready_procedure(&c, &author, &p).await;
    // An amended lot is found by a recall.
    let path = format!("/api/v1/procedures/{procedure}");
    assert_eq!(
        c.app
            .post(&author.token, &format!("{path}/sign"), &json!({}))
            .await
            .status(),
        200
    );
    let r = c.app.post(&author.token, &format!("{path}/amendments"), &json!({"reason": "wrong lot recorded",
        "changes": {"products": [{"name": "Hyaluronic serum", "lot_number": "LOT-FIXED", "expiry_date": "2030-01-01"}]}})).await;
    assert_eq!(r.status(), 201);
    let recall: Value = c
        .app
        .get(&author.token, "/api/v1/procedures?product_lot=LOT-FIXED")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(recall["items"].as_array().unwrap().len(), 1);
    let original: Value = c
        .app
        .get(&author.token, "/api/v1/procedures?product_lot=LOT-S")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        original["items"].as_array().unwrap().len(),
        1,
        "the original lot stays findable"
    );
}
