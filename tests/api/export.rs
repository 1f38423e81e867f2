//! FHIR R4 export (`/patients/{id}/export`, `/me/export`) and the patient's own chart
//! (`/me/record`). When `FHIR_EXPORT_DIR` is set the Bundles are written there, for
//! `scripts/validate_fhir.py` (scripts/test runs it after the SQLite run).
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::clinic::{clinic, monday, Clinic};
use crate::helpers::clinical::{consultation, ready_procedure, sample};
use crate::helpers::{assert_problem, Session};

const STAFF_NOTE: &str = "Prefers the left side; staff only";

/// A portal patient with one of everything the API can write today: appointments
/// (one with a staff note), a signed and amended consultation and a draft one, a signed
/// consent, a signed procedure, a sample, a measurement and a serious adverse event.
struct Charted {
    c: Clinic,
    author: Session,
    me: Session,
    patient: String,
    signed_consultation: String,
    draft_consultation: String,
    procedure: String,
    measurement: String,
    adverse_event: String,
    noted_appointment: String,
}

async fn charted() -> Charted {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let me = c.app.sign_in(Role::Patient).await;
    let who: Value = c
        .app
        .get(&me.token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    let patient = who["patient_id"].as_str().unwrap().to_owned();

    let (procedure, _) = ready_procedure(&c, &author, &patient).await;
    let r = c
        .app
        .post(
            &author.token,
            &format!("/api/v1/procedures/{procedure}/sign"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200, "sign the procedure");
    sample(
        &c,
        &author,
        &patient,
        &procedure,
        Utc::now() - Duration::minutes(5),
    )
    .await;
    // The consultation ready_procedure signed, amended; and a later draft.
    let chart: Value = c
        .app
        .get(&author.token, &format!("/api/v1/patients/{patient}/record"))
        .await
        .json()
        .await
        .unwrap();
    let signed = chart["consultations"][0]["id"].as_str().unwrap().to_owned();
    let r = c
        .app
        .post(
            &author.token,
            &format!("/api/v1/consultations/{signed}/amendments"),
            &json!({"reason": "clarified", "changes": {"plan": "Stem cell facial, two sessions."}}),
        )
        .await;
    assert_eq!(r.status(), 201, "amend");
    let draft = consultation(&c, &author, &patient, json!({"plan": "DRAFT PLAN"})).await;
    assert_eq!(draft["status"], "draft");
    let r = c
        .app
        .post(
            &author.token,
            &format!("/api/v1/patients/{patient}/measurements"),
            &json!({"measured_at": Utc::now().to_rfc3339(), "metric": "skin_moisture", "value": 41.5,
                    "unit": "[arb'U]", "device": "Corneometer CM 825"}),
        )
        .await;
    assert_eq!(r.status(), 201, "measurement");
    let measurement: Value = r.json().await.unwrap();
    let r = c
        .app
        .post(
            &author.token,
            &format!("/api/v1/patients/{patient}/adverse-events"),
            &json!({"procedure_id": procedure, "onset_at": Utc::now().to_rfc3339(), "kind": "bruising",
                    "severity": "serious", "phase": "harvest", "description": "Bruising at the harvest site.",
                    "action_taken": "Cold compress."}),
        )
        .await;
    assert_eq!(r.status(), 201, "adverse event");
    let adverse: Value = r.json().await.unwrap();
    let r = c
        .app
        .post(
            &c.desk,
            "/api/v1/appointments",
            &json!({"patient_id": patient, "practitioner_id": c.practitioners[1], "service_id": c.review,
                    "starts_at": monday(2, 10, 0).to_rfc3339(), "notes": STAFF_NOTE}),
        )
        .await;
    assert_eq!(r.status(), 201, "appointment with a note");
    let noted: Value = r.json().await.unwrap();
    // A photo, behind a photography consent: the export carries it as Media.
    let photography =
        crate::helpers::consents::template(&c.app, &c.admin, "photography", json!({})).await;
    crate::helpers::consents::signed_consent(
        &c.app,
        &author.token,
        &patient,
        photography["id"].as_str().unwrap(),
    )
    .await;
    let r = crate::helpers::photos::upload(
        &c.app,
        &author.token,
        &patient,
        &crate::helpers::photos::form_at(
            crate::helpers::photos::jpeg(64, 48),
            Utc::now(),
            "before",
            "frontal",
        ),
    )
    .await;
    assert_eq!(r.status(), 201, "photo");
    Charted {
        c,
        author,
        me,
        patient,
        signed_consultation: signed,
        draft_consultation: draft["id"].as_str().unwrap().to_owned(),
        procedure,
        measurement: measurement["id"].as_str().unwrap().to_owned(),
        adverse_event: adverse["id"].as_str().unwrap().to_owned(),
        noted_appointment: noted["id"].as_str().unwrap().to_owned(),
    }
}

/// Fetches an export, checks the media type, and writes it to `FHIR_EXPORT_DIR`.
async fn export(c: &Clinic, token: &str, path: &str, file: &str) -> Value {
    let r = c.app.get(token, path).await;
    assert_eq!(r.status(), 200, "{path}");
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/fhir+json"),
        "content type {content_type}"
    );
    let text = r.text().await.unwrap();
    if let Ok(dir) = std::env::var("FHIR_EXPORT_DIR") {
        if !dir.is_empty() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(std::path::Path::new(&dir).join(file), &text).unwrap();
        }
    }
    serde_json::from_str(&text).unwrap()
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

fn ids(bundle: &Value, kind: &str) -> Vec<String> {
    resources(bundle, kind)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_staff_export_is_a_fhir_bundle_of_the_whole_record_with_our_ids() {
    let t = charted().await;
    let path = format!("/api/v1/patients/{}/export", t.patient);
    let b = export(&t.c, &t.author.token, &path, "staff-export.json").await;
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    for e in b["entry"].as_array().unwrap() {
        let id = e["resource"]["id"].as_str().unwrap();
        assert_eq!(e["fullUrl"], format!("urn:uuid:{id}"));
    }
    assert_eq!(ids(&b, "Patient"), vec![t.patient.clone()]);
    assert_eq!(ids(&b, "Appointment").len(), 2);
    let mut encounters = ids(&b, "Encounter");
    encounters.sort();
    let mut expected = vec![t.signed_consultation.clone(), t.draft_consultation.clone()];
    expected.sort();
    assert_eq!(encounters, expected, "staff see drafts, as in-progress");
    assert_eq!(ids(&b, "Procedure"), vec![t.procedure.clone()]);
    assert_eq!(resources(&b, "Procedure")[0]["status"], "completed");
    assert_eq!(ids(&b, "Consent").len(), 2, "treatment and photography");
    assert!(resources(&b, "Consent")
        .iter()
        .all(|c| c["status"] == "active"));
    assert_eq!(ids(&b, "Observation"), vec![t.measurement.clone()]);
    let obs = resources(&b, "Observation")[0];
    assert_eq!(obs["valueQuantity"]["system"], "http://unitsofmeasure.org");
    assert_eq!(obs["valueQuantity"]["code"], "[arb'U]");
    assert_eq!(ids(&b, "AdverseEvent"), vec![t.adverse_event.clone()]);
    let ae = resources(&b, "AdverseEvent")[0];
    assert_eq!(ae["seriousness"]["coding"][0]["code"], "Serious");
    assert_eq!(
        ae["suspectEntity"][0]["instance"]["reference"],
        format!("urn:uuid:{}", t.procedure)
    );
    // The photo is Media that links to its bytes, never inline ones.
    let media = resources(&b, "Media");
    assert_eq!(media.len(), 1);
    assert!(media[0]["content"]["url"]
        .as_str()
        .unwrap()
        .starts_with("/api/v1/photos/"));
    assert_eq!(media[0]["content"]["contentType"], "image/jpeg");
    assert!(!b.to_string().contains("\"data\""));
    // Samples have no FHIR resource here: their label codes stay out.
    assert!(b.to_string().contains(STAFF_NOTE), "staff keep their notes");

    let admin = export(&t.c, &t.c.admin, &path, "admin-export.json").await;
    assert_eq!(
        admin["entry"].as_array().unwrap().len(),
        b["entry"].as_array().unwrap().len()
    );
    assert_problem(t.c.app.get(&t.c.desk, &path).await, 403).await;
    let rows = t.c.app.audit_rows().await;
    let exports: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "export")
        .filter(|r| r.patient_id.map(|p| p.to_string()) == Some(t.patient.clone()))
        .collect();
    assert_eq!(exports.len(), 2, "one export row per answered export");
}

#[tokio::test]
async fn the_patients_export_holds_only_what_the_patient_sees_and_no_one_elses_record() {
    let t = charted().await;
    let b = export(&t.c, &t.me.token, "/api/v1/me/export", "me-export.json").await;
    assert_eq!(b["type"], "collection");
    assert_eq!(ids(&b, "Patient"), vec![t.patient.clone()]);
    assert_eq!(
        ids(&b, "Encounter"),
        vec![t.signed_consultation.clone()],
        "no drafts"
    );
    assert!(resources(&b, "Encounter")
        .iter()
        .all(|e| e["status"] == "finished"));
    assert_eq!(ids(&b, "Procedure"), vec![t.procedure.clone()]);
    assert_eq!(ids(&b, "Observation"), vec![t.measurement.clone()]);
    assert_eq!(ids(&b, "AdverseEvent"), vec![t.adverse_event.clone()]);
    assert_eq!(ids(&b, "Consent").len(), 2);
    let media = resources(&b, "Media");
    assert_eq!(media.len(), 1);
    assert!(media[0]["content"]["url"]
        .as_str()
        .unwrap()
        .starts_with("/api/v1/me/photos/"));
    assert!(ids(&b, "Appointment").contains(&t.noted_appointment));
    let text = b.to_string();
    assert!(
        !text.contains(STAFF_NOTE),
        "appointment notes stay with staff"
    );
    assert!(!text.contains("DRAFT PLAN"));
    assert!(
        !text.contains(&t.author.user_id.to_string()),
        "staff appear by name, never by user id"
    );
    assert!(
        text.contains("Test practitioner"),
        "the author's display name"
    );

    // Only their own: the staff path answers a patient 404, for their own id and another's.
    let other = t.c.patient("Other").await;
    for id in [&other, &t.patient] {
        assert_problem(
            t.c.app
                .get(&t.me.token, &format!("/api/v1/patients/{id}/export"))
                .await,
            404,
        )
        .await;
    }
    let rows = t.c.app.audit_rows().await;
    assert!(rows.iter().any(|r| r.action == "export"
        && r.actor_id == Some(t.me.user_id)
        && r.patient_id.map(|p| p.to_string()) == Some(t.patient.clone())));
    // Another patient's export holds nothing of this one.
    let stranger = t.c.app.sign_in(Role::Patient).await;
    let theirs = export(
        &t.c,
        &stranger.token,
        "/api/v1/me/export",
        "other-me-export.json",
    )
    .await;
    assert!(!theirs.to_string().contains(&t.patient));
    assert_eq!(theirs["entry"].as_array().unwrap().len(), 1, "just Patient");
}

#[tokio::test]
async fn the_patients_own_chart_has_signed_notes_with_amendments_and_staff_by_name() {
    let t = charted().await;
    let r = t.c.app.get(&t.me.token, "/api/v1/me/record").await;
    assert_eq!(r.status(), 200);
    let chart: Value = r.json().await.unwrap();
    let mut keys: Vec<&String> = chart.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "adverse_events",
            "appointments",
            "consents",
            "consultations",
            "measurements",
            "patient",
            "photos",
            "procedures"
        ]
    );
    let consultations = chart["consultations"].as_array().unwrap();
    assert_eq!(consultations.len(), 1, "no drafts");
    let note = &consultations[0];
    assert_eq!(note["id"], t.signed_consultation.as_str());
    assert_eq!(note["status"], "signed");
    assert_eq!(note["signed_by"], "Test practitioner");
    assert_eq!(note["author_id"], "Test practitioner");
    assert_eq!(note["amendments"][0]["author_id"], "Test practitioner");
    assert_eq!(note["amendments"][0]["reason"], "clarified");
    assert_eq!(chart["procedures"][0]["signed_by"], "Test practitioner");
    assert_eq!(chart["consents"][0]["collected_by"], "Test practitioner");
    assert_eq!(
        chart["adverse_events"][0]["recorded_by"],
        "Test practitioner"
    );
    assert_eq!(chart["photos"][0]["taken_by"], "Test practitioner");
    let my_photos: Value =
        t.c.app
            .get(&t.me.token, "/api/v1/me/photos")
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(
        chart["photos"], my_photos["items"],
        "one shape for /me/record and /me/photos"
    );
    assert!(chart["photos"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("/api/v1/me/photos/"));
    let text = chart.to_string();
    assert!(!text.contains(STAFF_NOTE));
    assert!(!text.contains("DRAFT PLAN"));
    assert!(!text.contains(&t.author.user_id.to_string()));
    assert!(chart.get("samples").is_none());
    let rows = t.c.app.audit_rows().await;
    assert!(rows.iter().any(|r| r.action == "read"
        && r.actor_id == Some(t.me.user_id)
        && r.patient_id.map(|p| p.to_string()) == Some(t.patient.clone())));
    // Staff cannot use the portal path.
    assert_problem(t.c.app.get(&t.author.token, "/api/v1/me/record").await, 403).await;
}

#[tokio::test]
async fn an_item_entered_in_error_is_left_out_of_the_chart_the_portal_and_both_exports() {
    let t = charted().await;
    let mark = |path: String, token: String, body: Value| {
        let app = &t.c.app;
        async move { app.post(&token, &path, &body).await }
    };
    let reason = json!({"reason": "recorded on the wrong patient"});
    let measurement_path = format!("/api/v1/measurements/{}/entered-in-error", t.measurement);
    let adverse_path = format!(
        "/api/v1/adverse-events/{}/entered-in-error",
        t.adverse_event
    );
    // Practitioners only; a reason is required; unknown ids are 404.
    assert_problem(
        mark(measurement_path.clone(), t.c.desk.clone(), reason.clone()).await,
        403,
    )
    .await;
    assert_problem(
        mark(measurement_path.clone(), t.c.admin.clone(), reason.clone()).await,
        403,
    )
    .await;
    assert_problem(
        mark(
            measurement_path.clone(),
            t.author.token.clone(),
            json!({"reason": " "}),
        )
        .await,
        422,
    )
    .await;
    let random = uuid::Uuid::now_v7();
    assert_problem(
        mark(
            format!("/api/v1/measurements/{random}/entered-in-error"),
            t.author.token.clone(),
            reason.clone(),
        )
        .await,
        404,
    )
    .await;
    for path in [&measurement_path, &adverse_path] {
        let r = mark(path.clone(), t.author.token.clone(), reason.clone()).await;
        assert_eq!(r.status(), 200, "{path}");
        let marked: Value = r.json().await.unwrap();
        assert_eq!(marked["status"], "entered_in_error");
        assert_eq!(marked["reason"], "recorded on the wrong patient");
        assert_eq!(marked["patient_id"], t.patient.as_str());
        assert_eq!(marked["marked_by"], t.author.user_id.to_string());
        assert_problem(
            mark(path.clone(), t.author.token.clone(), reason.clone()).await,
            409,
        )
        .await;
    }
    // The series and the portal's list leave the reading out too; the row itself stays.
    let series: Value =
        t.c.app
            .get(
                &t.author.token,
                &format!("/api/v1/patients/{}/measurements", t.patient),
            )
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(series["items"], json!([]));
    let my_series: Value =
        t.c.app
            .get(&t.me.token, "/api/v1/me/measurements")
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(my_series["items"], json!([]));
    let stored =
        t.c.app
            .with_db(|conn| {
                use dermachart::db::schema::measurements;
                use diesel::prelude::*;
                measurements::table.count().get_result::<i64>(conn).unwrap()
            })
            .await;
    assert_eq!(stored, 1, "marked, not deleted");
    let audited =
        t.c.app
            .audit_rows()
            .await
            .into_iter()
            .filter(|r| r.entity_type == "measurement" && r.action == "update")
            .count();
    assert_eq!(audited, 1);
    let staff_chart: Value =
        t.c.app
            .get(
                &t.author.token,
                &format!("/api/v1/patients/{}/record", t.patient),
            )
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(staff_chart["measurements"], json!([]));
    assert_eq!(staff_chart["adverse_events"], json!([]));
    assert_eq!(staff_chart["procedures"].as_array().unwrap().len(), 1);
    let mine: Value =
        t.c.app
            .get(&t.me.token, "/api/v1/me/record")
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(mine["measurements"], json!([]));
    assert_eq!(mine["adverse_events"], json!([]));
    let path = format!("/api/v1/patients/{}/export", t.patient);
    for b in [
        export(&t.c, &t.author.token, &path, "staff-export-eie.json").await,
        export(&t.c, &t.me.token, "/api/v1/me/export", "me-export-eie.json").await,
    ] {
        assert!(resources(&b, "Observation").is_empty());
        assert!(resources(&b, "AdverseEvent").is_empty());
        assert_eq!(resources(&b, "Procedure").len(), 1);
    }
}
