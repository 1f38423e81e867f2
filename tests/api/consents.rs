//! Consent templates and consents: versioning, who may collect which scope, the exact
//! text signed, witness, revocation.
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use dermachart::domain::role::Role;

use crate::helpers::clinic::clinic;
use crate::helpers::clinical::ready_procedure;
use crate::helpers::consents::{signature_png, signed_consent, template};
use crate::helpers::{assert_problem, error_fields, spawn_app};

#[tokio::test]
async fn templates_are_versioned_in_families_and_never_change() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await.token;
    let v1 = template(&app, &admin, "treatment", json!({"valid_for_days": 365})).await;
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["family_id"], v1["id"]);
    let id = v1["id"].as_str().unwrap();
    assert_problem(
        app.patch(
            &admin,
            &format!("/api/v1/consent-templates/{id}"),
            &json!({"title": "x"}),
        )
        .await,
        405,
    )
    .await;
    assert_problem(
        app.delete(&admin, &format!("/api/v1/consent-templates/{id}"))
            .await,
        405,
    )
    .await;
    let r = app
        .post(
            &admin,
            &format!("/api/v1/consent-templates/{id}/versions"),
            &json!({"title": "treatment consent",
        "body_markdown": "Revised wording.", "scope": "treatment", "requires_reconsent": true}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let v2: Value = r.json().await.unwrap();
    assert_eq!(
        (v2["version"].as_i64(), &v2["family_id"]),
        (Some(2), &v1["id"])
    );
    let r = app
        .post(
            &admin,
            &format!("/api/v1/consent-templates/{id}/versions"),
            &json!({"title": "t",
        "body_markdown": "b", "scope": "marketing"}),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["scope"]);
    assert!(
        app.sql("UPDATE consent_templates SET title = 'edited'")
            .await
            .is_err(),
        "immutable in the database"
    );
    let got: Value = app
        .get(&admin, &format!("/api/v1/consent-templates/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["title"], "treatment consent");
}

#[tokio::test]
async fn a_signed_consent_keeps_the_exact_text_and_who_collected_it() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await.token;
    let practitioner = app.sign_in(Role::Practitioner).await;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    let t = template(&app, &admin, "treatment", json!({"valid_for_days": 30})).await;
    let patient = app.create_patient(&desk, "Ada", "Consenting").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post(
            &desk,
            &format!("/api/v1/patients/{patient}/consents"),
            &json!({"template_id": t["id"]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let pending: Value = r.json().await.unwrap();
    assert_eq!(pending["status"], "pending");
    let sign_path = format!("/api/v1/consents/{}/sign", pending["id"].as_str().unwrap());
    let body = json!({"signer_name": "Ada Consenting", "signature_png_base64": signature_png(), "signer_kind": "patient"});
    assert_problem(app.post(&desk, &sign_path, &body).await, 403).await;
    let fake = base64::engine::general_purpose::STANDARD.encode(b"GIF89a not a png");
    let r = app
        .post(
            &practitioner.token,
            &sign_path,
            &json!({"signer_name": "Ada", "signature_png_base64": fake, "signer_kind": "patient"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["signature_png_base64"]
    );
    let r = app.post(&practitioner.token, &sign_path, &json!({"signer_name": "Mum", "signature_png_base64": signature_png(), "signer_kind": "guardian"})).await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["guardian_name"]
    );

    let r = app.post(&practitioner.token, &sign_path, &body).await;
    assert_eq!(r.status(), 200);
    let signed: Value = r.json().await.unwrap();
    assert_eq!(signed["status"], "signed");
    let text = signed["signed_text"].as_str().unwrap();
    assert!(text.contains("I agree to the **stem cell facial**.") && text.contains("- bruising"));
    assert_eq!(
        signed["signed_text_sha256"],
        hex::encode(Sha256::digest(text.as_bytes()))
    );
    assert_eq!(signed["collected_by"], practitioner.user_id.to_string());
    assert!(signed["expires_at"].is_string());
    assert_eq!(signed["has_signature"], true);
    assert!(signed.get("signature_png_base64").is_none() && signed.get("signature_png").is_none());
    assert_problem(app.post(&practitioner.token, &sign_path, &body).await, 409).await;

    let id = signed["id"].as_str().unwrap();
    let w: Value = app
        .post(&desk, &format!("/api/v1/consents/{id}/witness"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(w["witness_id"].is_string());
    let r = app
        .post(
            &desk,
            &format!("/api/v1/consents/{id}/revoke"),
            &json!({"reason": ""}),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["reason"]);
    let r = app
        .post(
            &desk,
            &format!("/api/v1/consents/{id}/revoke"),
            &json!({"reason": "changed her mind"}),
        )
        .await;
    let revoked: Value = r.json().await.unwrap();
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(
        revoked["signed_text"], signed["signed_text"],
        "revoking keeps what was signed"
    );
    let list: Value = app
        .get(&desk, &format!("/api/v1/patients/{patient}/consents"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["status"], "revoked");
    assert!(
        app.sql("UPDATE consents SET signed_text = 'I agree to anything'")
            .await
            .is_err(),
        "what was signed never changes, in the database either"
    );
}

#[tokio::test]
async fn front_desk_may_collect_photography_consent_and_a_request_issues_the_latest_version() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await.token;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    let t = template(&app, &admin, "photography", json!({})).await;
    let v2: Value = app.post(&admin, &format!("/api/v1/consent-templates/{}/versions", t["id"].as_str().unwrap()),
        &json!({"title": "Photos v2", "body_markdown": "Photos for the record.", "scope": "photography"})).await.json().await.unwrap();
    let patient = app.create_patient(&desk, "Pia", "Photo").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = signed_consent(&app, &desk, &patient, t["id"].as_str().unwrap()).await;
    assert_eq!(c["template_id"], v2["id"]);
    assert_eq!(c["template_version"], 2);
    assert_eq!(c["status"], "signed");
}

#[tokio::test]
async fn a_services_consent_family_must_be_a_treatment_consent() {
    let c = clinic().await;

    // A service's consent family must be a treatment consent.
    let photo = template(&c.app, &c.admin, "photography", json!({})).await;
    let r = c
        .app
        .patch(
            &c.admin,
            &format!("/api/v1/services/{}", c.facial),
            &json!({"consent_template_id": photo["family_id"]}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["consent_template_id"]
    );
}

#[tokio::test]
async fn front_desk_sees_a_consents_status_not_what_was_signed() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;

    ready_procedure(&c, &author, &p).await;
    // Front desk sees a consent's status, not what was signed.
    let list: Value = c
        .app
        .get(&c.desk, &format!("/api/v1/patients/{p}/consents"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["status"], "signed");
    assert!(
        list["items"][0].get("signed_text").is_none()
            && list["items"][0].get("signer_name").is_none()
    );
}
