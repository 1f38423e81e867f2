//! Consultations, procedure notes and their gates: authorship, signing for ever,
//! amendments, the consent gate, the eligibility gate, recalls by lot.
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::consents::{signed_consent, template};
use crate::helpers::{assert_problem, error_fields, Session};
use crate::scheduling::{clinic, Clinic};

fn no_contraindications() -> Value {
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

async fn signed_consultation(c: &Clinic, author: &Session, patient: &str, extra: Value) -> Value {
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

fn procedure_body(
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
async fn facial_today(c: &Clinic, patient: &str) -> (String, String) {
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

#[tokio::test]
async fn a_draft_belongs_to_its_author_and_signing_locks_it_for_ever() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let other = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let draft = consultation(&c, &author, &p, json!({})).await;
    assert_eq!(draft["status"], "draft");
    let path = format!("/api/v1/consultations/{}", draft["id"].as_str().unwrap());
    assert_problem(
        c.app
            .patch(&other.token, &path, &json!({"plan": "mine now"}))
            .await,
        403,
    )
    .await;
    assert_problem(c.app.get(&c.desk, &path).await, 403).await;
    assert_eq!(
        c.app.get(&c.admin, &path).await.status(),
        200,
        "admin reads"
    );
    let r = c
        .app
        .patch(
            &author.token,
            &path,
            &json!({"plan": "Stem cell facial in two weeks."}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_problem(
        c.app
            .patch(&author.token, &path, &json!({"patient_id": p}))
            .await,
        422,
    )
    .await;

    let signed: Value = c
        .app
        .post(&author.token, &format!("{path}/sign"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(signed["status"], "signed");
    let hash = signed["content_sha256"].as_str().unwrap().to_owned();
    assert_eq!(hash.len(), 64);
    assert_problem(
        c.app
            .patch(&author.token, &path, &json!({"plan": "changed"}))
            .await,
        409,
    )
    .await;
    assert_problem(
        c.app
            .post(&author.token, &format!("{path}/sign"), &json!({}))
            .await,
        409,
    )
    .await;

    let r = c
        .app
        .post(
            &author.token,
            &format!("{path}/amendments"),
            &json!({"reason": "", "changes": {"plan": "x"}}),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["reason"]);
    let r = c
        .app
        .post(
            &author.token,
            &format!("{path}/amendments"),
            &json!({"reason": "re-screened", "changes": {"eligibility": "eligible"}}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["eligibility"]
    );
    assert_problem(
        c.app
            .post(
                &other.token,
                &format!("{path}/amendments"),
                &json!({"reason": "r", "changes": {"plan": "x"}}),
            )
            .await,
        403,
    )
    .await;
    let r = c.app.post(&author.token, &format!("{path}/amendments"), &json!({"reason": "typo in plan", "changes": {"plan": "Stem cell facial in three weeks."}})).await;
    assert_eq!(r.status(), 201);
    let got: Value = c.app.get(&author.token, &path).await.json().await.unwrap();
    assert_eq!(
        got["plan"], "Stem cell facial in two weeks.",
        "the original is unchanged"
    );
    assert_eq!(got["content_sha256"], hash);
    assert_eq!(got["amendments"][0]["reason"], "typo in plan");
    assert_eq!(
        got["amendments"][0]["changes"]["plan"],
        "Stem cell facial in three weeks."
    );
    assert_eq!(
        got["amendments"][0]["author_id"],
        author.user_id.to_string()
    );

    // Behind the app's back, the database itself refuses to touch a signed row.
    let id = draft["id"].as_str().unwrap().to_owned();
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    let refused = c
        .app
        .with_db(move |conn| {
            use dermachart::db::schema::consultations;
            use diesel::prelude::*;
            let update = diesel::update(
                consultations::table
                    .filter(consultations::id.eq(dermachart::db::types::ConsultationId(uuid))),
            )
            .set(consultations::plan.eq("tampered"))
            .execute(conn);
            let delete = diesel::delete(
                consultations::table
                    .filter(consultations::id.eq(dermachart::db::types::ConsultationId(uuid))),
            )
            .execute(conn);
            (update.is_err(), delete.is_err())
        })
        .await;
    assert_eq!(refused, (true, true));
}

#[tokio::test]
async fn a_note_state_the_code_does_not_know_answers_an_opaque_500_never_a_guessed_state() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let draft = consultation(&c, &author, &p, json!({})).await;
    let id = draft["id"].as_str().unwrap().to_owned();
    // A value no version of the code wrote, behind the schema's CHECK (as a bad manual
    // edit or a newer release's state would be).
    let tamper = match crate::helpers::backend() {
        dermachart::db::Backend::Sqlite => format!(
            "PRAGMA ignore_check_constraints = ON; \
             UPDATE consultations SET status = 'amended' WHERE id = X'{}'; \
             PRAGMA ignore_check_constraints = OFF;",
            id.replace('-', "")
        ),
        dermachart::db::Backend::Postgres => format!(
            "ALTER TABLE consultations DROP CONSTRAINT consultations_status_check; \
             UPDATE consultations SET status = 'amended' WHERE id = '{id}';"
        ),
    };
    c.app.sql(&tamper).await.unwrap();
    let path = format!("/api/v1/consultations/{id}");
    let problem = assert_problem(c.app.get(&author.token, &path).await, 500).await;
    let text = problem.to_string();
    assert!(
        !text.contains("amended") && !text.contains("draft") && !text.contains("signed"),
        "the answer guesses or echoes the state: {text}"
    );
    // Neither can it be edited or signed as if it were a draft.
    assert_problem(
        c.app
            .patch(&author.token, &path, &json!({"plan": "still a draft?"}))
            .await,
        500,
    )
    .await;
    assert_problem(
        c.app
            .post(&author.token, &format!("{path}/sign"), &json!({}))
            .await,
        500,
    )
    .await;
}

#[tokio::test]
async fn an_unexplained_contraindication_means_not_eligible_whatever_was_sent() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let mut ci = no_contraindications();
    ci["anticoagulants"] = json!(true);
    let d = consultation(&c, &author, &p, json!({"contraindications": ci})).await;
    assert_eq!(d["eligibility"], "not_eligible");
    let d = consultation(&c, &author, &p, json!({"contraindications": ci,
        "contraindication_overrides": {"anticoagulants": "warfarin paused under haematology advice"}})).await;
    assert_eq!(d["eligibility"], "eligible");
    let d = consultation(
        &c,
        &author,
        &p,
        json!({"contraindication_other": "recent filler"}),
    )
    .await;
    assert_eq!(d["eligibility"], "not_eligible");
    let mut bad = no_contraindications();
    bad["other"] = json!(true);
    let r = c
        .app
        .post(
            &author.token,
            "/api/v1/consultations",
            &json!({"patient_id": p, "concerns": [],
        "contraindications": bad, "eligibility": "eligible"}),
        )
        .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["contraindications.other"]
    );
}

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
            crate::scheduling::monday(1, 10, 0),
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
async fn a_huge_limit_is_clamped_and_an_empty_cursor_is_none_on_every_list() {
    let c = clinic().await;
    for path in [
        "/api/v1/appointments",
        "/api/v1/patients",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/adverse-events",
    ] {
        for query in [
            "limit=99999999999999999999999",
            "cursor=",
            "limit=201&cursor=",
        ] {
            let r = c.app.get(&c.admin, &format!("{path}?{query}")).await;
            assert_eq!(r.status(), 200, "{path}?{query}");
        }
        let r = c.app.get(&c.admin, &format!("{path}?limit=0")).await;
        assert_problem(r, 422).await;
    }
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
async fn the_chart_holds_everything_for_clinicians_and_only_demographics_appointments_and_consent_status_for_front_desk(
) {
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
    let chart: Value = c
        .app
        .get(&author.token, &format!("/api/v1/patients/{p}/record"))
        .await
        .json()
        .await
        .unwrap();
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
            "procedures",
            "samples"
        ]
    );
    assert_eq!(chart["procedures"].as_array().unwrap().len(), 1);
    assert_eq!(chart["samples"].as_array().unwrap().len(), 1);
    assert!(chart["consents"][0]["signed_text"].is_string());

    let desk: Value = c
        .app
        .get(&c.desk, &format!("/api/v1/patients/{p}/record"))
        .await
        .json()
        .await
        .unwrap();
    let mut keys: Vec<&String> = desk.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, vec!["appointments", "consents", "patient"]);
    assert!(desk["patient"].get("allergies").is_none());
    assert_eq!(desk["consents"][0]["status"], "signed");
    assert!(desk["consents"][0].get("signed_text").is_none());
    let rows = c.app.audit_rows().await;
    assert!(rows
        .iter()
        .any(|r| r.action == "read" && r.patient_id.map(|x| x.to_string()) == Some(p.clone())));
}

#[tokio::test]
async fn a_signed_note_is_never_deleted_and_a_departed_authors_note_can_still_be_amended() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let colleague = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let draft = consultation(&c, &author, &p, json!({})).await;
    let path = format!("/api/v1/consultations/{}", draft["id"].as_str().unwrap());
    assert_problem(c.app.delete(&colleague.token, &path).await, 403).await;
    assert_eq!(c.app.delete(&author.token, &path).await.status(), 204);
    let signed = signed_consultation(&c, &author, &p, json!({})).await;
    let path = format!("/api/v1/consultations/{}", signed["id"].as_str().unwrap());
    assert_problem(c.app.delete(&author.token, &path).await, 409).await;

    let amend = json!({"reason": "late lab result", "changes": {"assessment": "Suitable; ferritin normal."}});
    assert_problem(
        c.app
            .post(&colleague.token, &format!("{path}/amendments"), &amend)
            .await,
        403,
    )
    .await;
    let r = c
        .app
        .patch(
            &c.admin,
            &format!("/api/v1/users/{}", author.user_id),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = c
        .app
        .post(&colleague.token, &format!("{path}/amendments"), &amend)
        .await;
    assert_eq!(r.status(), 201, "the author left the clinic");
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["author_id"], colleague.user_id.to_string());
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
async fn second_review_fixes_hold() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let (p, q) = (c.patient("Ada").await, c.patient("Bea").await);

    // A patch replaces an object whole: dropping one override brings its contraindication back.
    let mut ci = no_contraindications();
    ci["anticoagulants"] = json!(true);
    ci["pregnancy"] = json!(true);
    let d = consultation(
        &c,
        &author,
        &p,
        json!({"contraindications": ci,
        "contraindication_overrides": {"anticoagulants": "paused", "pregnancy": "negative test"}}),
    )
    .await;
    assert_eq!(d["eligibility"], "eligible");
    let r = c
        .app
        .patch(
            &author.token,
            &format!("/api/v1/consultations/{}", d["id"].as_str().unwrap()),
            &json!({"contraindication_overrides": {"pregnancy": "negative test"}}),
        )
        .await;
    let patched: Value = r.json().await.unwrap();
    assert_eq!(patched["eligibility"], "not_eligible");

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

    let (procedure, _) = ready_procedure(&c, &author, &p).await;
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

/// A note's creation is audited with the new note's id (it used to carry none), so
/// the audit trail names which note was written.
#[tokio::test]
async fn creating_a_note_audits_the_new_notes_id() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let draft = consultation(&c, &author, &p, json!({})).await;
    let consultation_id = draft["id"].as_str().unwrap().to_owned();
    let (procedure_id, _) = ready_procedure(&c, &author, &p).await;

    let rows = c.app.audit_rows().await;
    for (entity_type, id) in [
        ("consultation", consultation_id.as_str()),
        ("procedure", procedure_id.as_str()),
    ] {
        let created: Vec<_> = rows
            .iter()
            .filter(|r| r.action == "create" && r.entity_type == entity_type)
            .collect();
        assert!(!created.is_empty(), "{entity_type} creations audited");
        assert!(
            created.iter().all(|r| r.entity_id.is_some()),
            "every {entity_type} creation names its note"
        );
        let row = created
            .iter()
            .find(|r| r.entity_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("the {entity_type} {id} has its creation row"));
        assert_eq!(row.patient_id.map(|p| p.to_string()), Some(p.clone()));
    }
}
