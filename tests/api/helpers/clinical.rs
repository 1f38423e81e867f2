//! Clinical fixtures: screening consultations, a procedure ready to record, a harvested sample.
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{json, Value};

use super::clinic::Clinic;
use super::consents::{signed_consent, template};
use super::Session;

pub fn no_contraindications() -> Value {
    json!({"active_infection": false, "anticoagulants": false, "bleeding_disorder": false, "pregnancy": false,
           "active_cancer": false, "keloid_history": false, "recent_isotretinoin": false})
}

pub async fn consultation(c: &Clinic, author: &Session, patient: &str, extra: Value) -> Value {
    let mut body = json!({"patient_id": patient, "concerns": ["fine_lines", "wrinkles"], "subjective": "Wants smoother skin.",
        "objective": "Fine perioral lines.", "assessment": "Suitable.", "plan": "Stem cell facial.",
        "contraindications": no_contraindications(), "eligibility": "eligible"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = c
        .app
        .post(&author.token, "/api/v1/consultations", &body)
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

pub async fn signed_consultation(
    c: &Clinic,
    author: &Session,
    patient: &str,
    extra: Value,
) -> Value {
    let draft = consultation(c, author, patient, extra).await;
    let r = c
        .app
        .post(
            &author.token,
            &format!(
                "/api/v1/consultations/{}/sign",
                draft["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

pub fn procedure_body(
    patient: &str,
    appointment: &str,
    service: &str,
    consent: Option<&str>,
    lot: &str,
    expiry: &str,
) -> Value {
    json!({"patient_id": patient, "appointment_id": appointment, "service_id": service, "consent_id": consent,
        "performed_at": Utc::now().to_rfc3339(),
        "preparation": {"cleansing": "chlorhexidine", "exfoliation": "enzyme peel", "anaesthesia": "lidocaine 1% local"},
        "harvest": {"site": "abdomen", "volume_ml": 20.0, "method": "syringe liposuction"},
        "processing": {"method": "enzymatic digestion", "duration_minutes": 60, "cell_count": 2.0e7, "viability_percent": 91.5},
        "application": {"method": "microinjection", "areas": [{"area": "forehead", "volume_ml": 1.5}, {"area": "cheeks", "volume_ml": 3.0}]},
        "products": [{"name": "Hyaluronic serum", "lot_number": lot, "expiry_date": expiry}],
        "complications": "none", "aftercare": "No make-up for 24 h."})
}

/// A clinic whose facial needs a treatment consent; an appointment of it under way now.
pub async fn facial_today(c: &Clinic, patient: &str) -> (String, String) {
    let t = template(
        &c.app,
        &c.admin,
        "treatment",
        json!({"service_id": c.facial}),
    )
    .await;
    let r = c
        .app
        .patch(
            &c.admin,
            &format!("/api/v1/services/{}", c.facial),
            &json!({"consent_template_id": t["family_id"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let start: DateTime<Utc> = Utc::now().duration_trunc(Duration::minutes(15)).unwrap();
    let a = c
        .book_ok(patient, &c.practitioners[0], &c.facial, start)
        .await;
    let id = a["id"].as_str().unwrap().to_owned();
    for action in ["check-in", "start"] {
        assert_eq!(c.act(&id, action).await.status(), 200);
    }
    (id, t["id"].as_str().unwrap().to_owned())
}

/// A patient screened, consented and mid-procedure: (procedure id, appointment id).
pub async fn ready_procedure(c: &Clinic, author: &Session, patient: &str) -> (String, String) {
    let (appt, template_id) = facial_today(c, patient).await;
    signed_consultation(c, author, patient, json!({})).await;
    let consent = signed_consent(&c.app, &author.token, patient, &template_id).await;
    let expiry = (Utc::now() + Duration::days(300))
        .format("%Y-%m-%d")
        .to_string();
    let body = procedure_body(
        patient,
        &appt,
        &c.facial,
        consent["id"].as_str(),
        "LOT-S",
        &expiry,
    );
    let r = c.app.post(&author.token, "/api/v1/procedures", &body).await;
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    (p["id"].as_str().unwrap().to_owned(), appt)
}

pub async fn sample(
    c: &Clinic,
    author: &Session,
    patient: &str,
    procedure: &str,
    harvested: DateTime<Utc>,
) -> Value {
    let r = c
        .app
        .post(
            &author.token,
            "/api/v1/samples",
            &json!({"patient_id": patient, "procedure_id": procedure,
        "harvested_at": harvested.to_rfc3339(), "site": "abdomen", "volume_ml": 20.0}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}
