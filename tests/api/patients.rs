//! `/patients`: create, read, change, archive, search; front desk sees no clinical fields.
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use dermachart::domain::role::Role;

use crate::helpers::clinic::clinic;
use crate::helpers::clinical::{ready_procedure, sample};
use crate::helpers::{assert_problem, error_fields, spawn_app};

#[tokio::test]
async fn a_patient_is_created_with_a_server_assigned_mrn_and_read_back() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            &json!({
                "given_name": "Ada", "family_name": "Lovelace", "date_of_birth": "1985-12-10",
                "sex": "female", "phone": "+44 20 7946 0001", "email": "ada@example.org",
                "address": "1 Harley St", "fitzpatrick_type": 2,
                "emergency_contact": {"name": "Byron", "phone": "+44 20 7946 0002", "relationship": "father"},
                "allergies": ["latex"], "medications": ["none"], "medical_history": "<script>alert(1)</script>"
            }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = r.json().await.unwrap();
    let mrn = created["mrn"].as_str().unwrap();
    assert!(mrn.starts_with("DC-") && mrn.len() == 12, "{mrn}");
    let r = app.get(&token, &location).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let got: Value = r.json().await.unwrap();
    assert_eq!(got["allergies"], json!(["latex"]));
    assert_eq!(
        got["medical_history"], "<script>alert(1)</script>",
        "stored as text"
    );
    assert_eq!(got["emergency_contact"]["relationship"], "father");
    assert_eq!(got["archived"], false);
}

#[tokio::test]
async fn mrns_are_unique_and_cannot_be_sent() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let a = app.create_patient(&token, "One", "Person").await;
    let b = app.create_patient(&token, "Two", "Person").await;
    assert_ne!(a["mrn"], b["mrn"]);
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            &json!({"given_name": "X", "family_name": "Y", "date_of_birth": "1980-01-01", "mrn": "DC-0000-0000"}),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["mrn"]);
}

#[tokio::test]
async fn invalid_fields_are_all_listed_and_nothing_is_written() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            &json!({"given_name": "", "family_name": "Y", "date_of_birth": "2999-01-01",
                    "fitzpatrick_type": 9, "email": "nope", "sex": "female"}),
        )
        .await;
    let mut fields = error_fields(&assert_problem(r, 422).await);
    fields.sort();
    assert_eq!(
        fields,
        vec!["date_of_birth", "email", "fitzpatrick_type", "given_name"]
    );
    let r = app
        .post(
            &token,
            "/api/v1/patients",
            &json!({"given_name": "A", "family_name": "Y", "date_of_birth": "1980-01-01", "sex": "robot"}),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["sex"]);
    let list: Value = app
        .get(&token, "/api/v1/patients")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn search_finds_by_prefix_of_name_mrn_phone_email_and_by_date_of_birth() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let ada = app.create_patient(&token, "Ada", "Lovelace").await;
    app.create_patient(&token, "Grace", "Hopper").await;
    let ids = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let id = ada["id"].as_str().unwrap().to_owned();
    let mrn = ada["mrn"].as_str().unwrap().to_lowercase();
    for q in [
        "ada",
        "ADA",
        "love",
        "Ada Love",
        "love ada",
        &mrn[..6],
        "ada.lovelace@",
        "1980-05-17",
    ] {
        let found = ids(app
            .get(&token, &format!("/api/v1/patients?q={}", urlencode(q)))
            .await
            .json()
            .await
            .unwrap());
        assert!(found.contains(&id), "{q} finds Ada");
        if q != "1980-05-17" {
            assert_eq!(found.len(), 1, "{q} finds only Ada");
        }
    }
    let found = ids(app
        .get(&token, "/api/v1/patients?q=%2B44%2020%207946")
        .await
        .json()
        .await
        .unwrap());
    assert_eq!(found.len(), 2, "both share the phone prefix");
    let found = ids(app
        .get(&token, "/api/v1/patients?q=zzz")
        .await
        .json()
        .await
        .unwrap());
    assert!(found.is_empty());
}

#[tokio::test]
async fn a_term_that_could_be_a_name_or_an_mrn_finds_both() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let hyphen = app.create_patient(&token, "Anna", "Smith-Jones").await;
    let dc = app.create_patient(&token, "Dc-Ann", "Lee").await;
    let other = app.create_patient(&token, "Grace", "Hopper").await;
    let ids = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let search = |q: String| {
        let app = &app;
        let token = token.clone();
        async move {
            ids(app
                .get(&token, &format!("/api/v1/patients?q={}", urlencode(&q)))
                .await
                .json()
                .await
                .unwrap())
        }
    };
    for q in ["SMITH-JONES", "Smith-J", "ANNA SMITH-JONES"] {
        assert_eq!(
            search(q.into()).await,
            [hyphen["id"].as_str().unwrap()],
            "{q}"
        );
    }
    // `DC-…` looks like an MRN prefix, and is a name too: the name is found.
    assert_eq!(search("DC-ANN".into()).await, [dc["id"].as_str().unwrap()]);
    assert_eq!(
        search("dc-ann lee".into()).await,
        [dc["id"].as_str().unwrap()]
    );
    assert_eq!(search("DC-".into()).await.len(), 3, "every MRN starts so");
    let mrn = other["mrn"].as_str().unwrap().to_owned();
    assert_eq!(search(mrn).await, [other["id"].as_str().unwrap()]);
}

fn urlencode(q: &str) -> String {
    q.replace(' ', "%20").replace('@', "%40")
}

#[tokio::test]
async fn search_pages_with_a_cursor_newest_first() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(
            app.create_patient(&token, &format!("Page{i}"), "Tester")
                .await["id"]
                .clone(),
        );
    }
    created.reverse();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/patients?q=tester&limit=2&cursor={c}"),
            None => "/api/v1/patients?q=tester&limit=2".to_owned(),
        };
        let page: Value = app.get(&token, &path).await.json().await.unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, created);
    assert_problem(
        app.get(&token, "/api/v1/patients?cursor=garbage").await,
        400,
    )
    .await;
    assert_problem(app.get(&token, "/api/v1/patients?limit=0").await, 422).await;
    assert_eq!(
        app.get(&token, "/api/v1/patients?limit=100000")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn front_desk_neither_sees_nor_sends_clinical_fields() {
    let app = spawn_app().await;
    let practitioner = app.staff_token().await;
    let fd = app.sign_in(Role::FrontDesk).await;
    let p = app.create_patient(&practitioner, "Clin", "Ical").await;
    let id = p["id"].as_str().unwrap();
    let got: Value = app
        .get(&fd.token, &format!("/api/v1/patients/{id}"))
        .await
        .json()
        .await
        .unwrap();
    for field in [
        "allergies",
        "medications",
        "medical_history",
        "fitzpatrick_type",
    ] {
        assert!(got.get(field).is_none(), "front desk must not see {field}");
    }
    assert_eq!(got["given_name"], "Clin");
    let listed: Value = app
        .get(&fd.token, "/api/v1/patients?q=clin")
        .await
        .json()
        .await
        .unwrap();
    assert!(listed["items"][0].get("allergies").is_none());
    let r = app
        .patch(
            &fd.token,
            &format!("/api/v1/patients/{id}"),
            &json!({"allergies": ["nuts"]}),
        )
        .await;
    assert_problem(r, 403).await;
    let r = app
        .post(
            &fd.token,
            "/api/v1/patients",
            &json!({"given_name": "A", "family_name": "B", "date_of_birth": "1980-01-01", "fitzpatrick_type": 3}),
        )
        .await;
    assert_problem(r, 403).await;
    let r = app
        .patch(
            &fd.token,
            &format!("/api/v1/patients/{id}"),
            &json!({"phone": "+44 20 7946 0999"}),
        )
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn patch_is_a_merge_patch_guarded_by_if_match() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let p = app.create_patient(&token, "Merge", "Patch").await;
    let path = format!("/api/v1/patients/{}", p["id"].as_str().unwrap());
    let r = app
        .patch(
            &token,
            &path,
            &json!({"phone": null, "address": "2 Wimpole St"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let got: Value = r.json().await.unwrap();
    assert_eq!(got["phone"], Value::Null);
    assert_eq!(got["address"], "2 Wimpole St");
    assert_eq!(got["email"], p["email"], "absent means unchanged");
    assert_eq!(got["version"], 2);
    let r = app.patch(&token, &path, &json!({"given_name": null})).await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["given_name"]
    );
    let r = app
        .patch_if_match(&token, &path, "\"1\"", &json!({"address": "stale"}))
        .await;
    assert_problem(r, 412).await;
    let got: Value = app.get(&token, &path).await.json().await.unwrap();
    assert_eq!(
        got["address"], "2 Wimpole St",
        "the stale write changed nothing"
    );
}

#[tokio::test]
async fn archiving_hides_from_search_but_keeps_the_record() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let p = app.create_patient(&token, "Archie", "Ved").await;
    let path = format!("/api/v1/patients/{}", p["id"].as_str().unwrap());
    assert_eq!(app.delete(&token, &path).await.status(), 204);
    let got: Value = app.get(&token, &path).await.json().await.unwrap();
    assert_eq!(got["archived"], true);
    assert_eq!(got["given_name"], "Archie");
    let found: Value = app
        .get(&token, "/api/v1/patients?q=archie")
        .await
        .json()
        .await
        .unwrap();
    assert!(found["items"].as_array().unwrap().is_empty());
    let found: Value = app
        .get(&token, "/api/v1/patients?q=archie&include_archived=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_unknown_patient_is_404() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let r = app
        .get(
            &token,
            &format!("/api/v1/patients/{}", uuid::Uuid::now_v7()),
        )
        .await;
    assert_problem(r, 404).await;
}

#[tokio::test]
async fn patients_get_404_on_staff_patient_routes_even_for_their_own_id() {
    let app = spawn_app().await;
    let p = app.sign_in(Role::Patient).await;
    let me: Value = app
        .get(&p.token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    let own = me["patient_id"].as_str().unwrap();
    let unknown = uuid::Uuid::now_v7().to_string();
    let a = app.get(&p.token, &format!("/api/v1/patients/{own}")).await;
    let b = app
        .get(&p.token, &format!("/api/v1/patients/{unknown}"))
        .await;
    let a = assert_problem(a, 404).await;
    let b = assert_problem(b, 404).await;
    assert_eq!(a, b, "indistinguishable from an unknown id");
    assert_problem(app.get(&p.token, "/api/v1/patients?q=a").await, 404).await;
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
