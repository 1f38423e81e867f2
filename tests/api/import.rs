//! CSV import of demographics: all or nothing, errors by line and field, likely
//! duplicates reported and never merged.
use serde_json::Value;

use dermachart::domain::role::Role;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, TestApp};

async fn import(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/patients/import"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn patient_count(app: &TestApp) -> i64 {
    app.with_db(|conn| {
        use dermachart::db::schema::patients;
        use diesel::prelude::*;
        patients::table.count().get_result(conn).unwrap()
    })
    .await
}

#[tokio::test]
async fn a_file_is_imported_in_order_and_each_new_patient_is_audited() {
    let app = spawn_app().await;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    let csv = "\u{feff}given_name,family_name,date_of_birth,sex,phone,email,address\r\n\
               Ada,Lovelace,1915-12-10,female,+44 20 7946 0001,ada@example.org,\"12 St James's Square, London\"\r\n\
               Mary,Somerville,1900-12-26,,,,\r\n\
               Grace,Hopper,1906-12-09,female,,,\"Arlington, \"\"VA\"\"\"\r\n";
    let r = import(&app, &desk, "text/csv; charset=utf-8", csv).await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["imported"], 3);
    let ids: Vec<&str> = body["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut names = Vec::new();
    for id in &ids {
        let p: Value = app
            .get(&desk, &format!("/api/v1/patients/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert!(p["mrn"].as_str().unwrap().starts_with("DC-"));
        names.push(format!(
            "{} {}",
            p["given_name"].as_str().unwrap(),
            p["family_name"].as_str().unwrap()
        ));
        if p["family_name"] == "Hopper" {
            assert_eq!(p["address"], "Arlington, \"VA\"");
        }
    }
    assert_eq!(names, ["Ada Lovelace", "Mary Somerville", "Grace Hopper"]);
    let created = app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.action == "create" && r.entity_type == "patient")
        .count();
    assert_eq!(created, 3);
}

#[tokio::test]
async fn one_bad_row_refuses_the_whole_file_naming_each_line_and_field() {
    let app = spawn_app().await;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    let before = patient_count(&app).await;
    let csv = "given_name,family_name,date_of_birth,sex\n\
               Ada,Lovelace,1915-12-10,female\n\
               Bad,Date,10/12/1815,female\n\
               Bad,Sex,1915-12-10,robot\n\
               ,Nameless,1915-12-10,\n\
               Too,Many,1915-12-10,female,extra\n";
    let p = assert_problem(import(&app, &desk, "text/csv", csv).await, 422).await;
    let errors: Vec<(u64, String)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "date_of_birth".to_owned()),
            (4, "sex".to_owned()),
            (5, "given_name".to_owned()),
            (6, "line".to_owned())
        ]
    );
    assert_eq!(
        patient_count(&app).await,
        before,
        "nothing written, not even line 2"
    );
}

#[tokio::test]
async fn likely_duplicates_are_reported_and_never_merged() {
    let app = spawn_app().await;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    // create_patient registers 1980-05-17.
    let on_file = app.create_patient(&desk, "Ada", "Lovelace").await;
    let before = patient_count(&app).await;
    let csv = "given_name,family_name,date_of_birth\n\
               ADA, lovelace ,1980-05-17\n\
               Charles,Babbage,1931-12-26\n\
               charles,BABBAGE,1931-12-26\n\
               Ada,Lovelace,1980-05-18\n";
    let p = assert_problem(import(&app, &desk, "text/csv", csv).await, 422).await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 0);
    let d = p["duplicates"].as_array().unwrap();
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0]["line"], 2);
    assert_eq!(d[0]["patient_id"], on_file["id"]);
    assert_eq!(d[1]["line"], 4);
    assert!(d[1]["patient_id"].is_null());
    assert_eq!(d[1]["same_as_line"], 3);
    assert_eq!(patient_count(&app).await, before);
    let still: Value = app
        .get(
            &desk,
            &format!("/api/v1/patients/{}", on_file["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        still["version"], on_file["version"],
        "the patient on file is untouched"
    );
}

#[tokio::test]
async fn the_wrong_type_unknown_columns_clinical_columns_from_front_desk_and_oversize_files_are_refused(
) {
    let app = spawn_app_with(|s| s.import_max_bytes = 16 * 1024).await;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    let practitioner = app.sign_in(Role::Practitioner).await.token;
    let ok = "given_name,family_name,date_of_birth\nAda,Lovelace,1915-12-10\n";
    assert_problem(import(&app, &desk, "application/json", ok).await, 415).await;
    assert_problem(import(&app, &desk, "text/plain", ok).await, 415).await;
    let p = assert_problem(
        import(
            &app,
            &desk,
            "text/csv",
            "given_name,family_name,date_of_birth,ssn\nA,B,1915-12-10,1\n",
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["line"], 1);
    assert_eq!(p["errors"][0]["field"], "ssn");
    let p = assert_problem(
        import(&app, &desk, "text/csv", "given_name,family_name\nA,B\n").await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "date_of_birth");
    let clinical =
        "given_name,family_name,date_of_birth,fitzpatrick_type\nAda,Lovelace,1915-12-10,III\n";
    assert_problem(import(&app, &desk, "text/csv", clinical).await, 403).await;
    assert_problem(
        import(
            &app,
            &desk,
            "text/csv",
            "given_name,family_name,date_of_birth\n",
        )
        .await,
        422,
    )
    .await;
    let before = patient_count(&app).await;
    // Past IMPORT_MAX_BYTES (small here, so the refusal is not racing the upload).
    let mut big = String::from("given_name,family_name,date_of_birth\n");
    while big.len() <= 16 * 1024 {
        big.push_str("Someone,Somebody,1970-01-01\n");
    }
    assert_problem(import(&app, &desk, "text/csv", big.clone()).await, 413).await;
    // And when the size is not declared up front, the stream is cut at the limit.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
        .as_bytes()
        .chunks(1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let streamed = app
        .client
        .post(app.url("/api/v1/patients/import"))
        .bearer_auth(&desk)
        .header("content-type", "text/csv")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_problem(streamed, 413).await;
    assert_problem(
        import(
            &app,
            &desk,
            "text/csv",
            b"given_name,family_name,date_of_birth\n\xff\xfe,B,1915-12-10\n".to_vec(),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(patient_count(&app).await, before);
    // A practitioner may import the clinical column.
    let r = import(&app, &practitioner, "text/csv", clinical).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["ids"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let p: Value = app
        .get(&practitioner, &format!("/api/v1/patients/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["fitzpatrick_type"], 3);
}

/// A file of `rows` distinct patients, `Given{i} Family{i}`, born in the days of `month`
/// (`YYYY-MM`), each with an email.
fn numbered_patients(rows: usize, month: &str) -> String {
    let mut csv = String::from("given_name,family_name,date_of_birth,email\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "Given{i},Family{i},{month}-{:02},p{i}@example.org\n",
            1 + i % 28
        ));
    }
    csv
}

#[tokio::test]
async fn a_large_file_imports_whole() {
    let app = spawn_app().await;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    let csv = numbered_patients(3000, "1980-01");
    let r = import(&app, &desk, "text/csv", csv).await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["imported"], 3000);
    let found: Value = app
        .get(&desk, "/api/v1/patients?q=Family2999")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"][0]["id"], body["ids"][2999]);
}

/// Rows far apart in a large file (the import reads and looks up rows a chunk at a
/// time): an error, a row like a patient on file, and a row repeating a much earlier
/// one are all named by their lines, in file order, and nothing is written.
#[tokio::test]
async fn problems_far_apart_in_a_large_file_are_each_reported_by_line() {
    let app = spawn_app().await;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    // create_patient registers 1980-05-17.
    let on_file = app.create_patient(&desk, "Ada", "Lovelace").await;
    let before = patient_count(&app).await;
    let mut csv = String::from("given_name,family_name,date_of_birth\n");
    for i in 0..3000 {
        // Line i + 2.
        let row = match i + 2 {
            1502 => "Bad,Date,1980-13-01".to_owned(),
            1803 => "ada,LOVELACE,1980-05-17".to_owned(),
            2904 => "given10,family10,1970-01-11".to_owned(),
            _ => format!("Given{i},Family{i},1970-01-{:02}", 1 + i % 28),
        };
        csv.push_str(&row);
        csv.push('\n');
    }
    let p = assert_problem(import(&app, &desk, "text/csv", csv).await, 422).await;
    let errors = p["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["line"], 1502);
    assert_eq!(errors[0]["field"], "date_of_birth");
    let d = p["duplicates"].as_array().unwrap();
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0]["line"], 1803);
    assert_eq!(d[0]["patient_id"], on_file["id"]);
    assert!(d[0]["same_as_line"].is_null());
    assert_eq!(d[1]["line"], 2904);
    assert!(d[1]["patient_id"].is_null());
    assert_eq!(d[1]["same_as_line"], 12);
    assert_eq!(patient_count(&app).await, before);
}

/// Importing a file twice: the second time every row is like a patient on file, and
/// the refusal names the first 1,000 (the reported limit), each with its patient.
#[tokio::test]
async fn a_file_imported_twice_is_refused_naming_at_most_a_thousand_duplicates() {
    let app = spawn_app().await;
    let desk = app.sign_in(Role::FrontDesk).await.token;
    let csv = numbered_patients(2500, "1975-02");
    let r = import(&app, &desk, "text/csv", csv.clone()).await;
    assert_eq!(r.status(), 201);
    let first: Value = r.json().await.unwrap();
    let ids = first["ids"].as_array().unwrap();
    assert_eq!(ids.len(), 2500);
    let distinct: std::collections::HashSet<&str> =
        ids.iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(distinct.len(), 2500);
    let mrns: std::collections::HashSet<String> = app
        .with_db(|conn| {
            use dermachart::db::schema::patients;
            use diesel::prelude::*;
            patients::table
                .select(patients::mrn)
                .load::<String>(conn)
                .unwrap()
                .into_iter()
                .collect()
        })
        .await;
    assert!(mrns.len() >= 2500, "every MRN distinct");
    let created = app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.action == "create" && r.entity_type == "patient")
        .count();
    assert_eq!(created, 2500, "one create event per new patient");
    let before = patient_count(&app).await;

    let p = assert_problem(import(&app, &desk, "text/csv", csv).await, 422).await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 0);
    let d = p["duplicates"].as_array().unwrap();
    assert_eq!(d.len(), 1000);
    for (i, dup) in d.iter().enumerate() {
        assert_eq!(dup["line"], i as u64 + 2);
        assert_eq!(dup["patient_id"], ids[i], "line {}", i + 2);
    }
    assert_eq!(patient_count(&app).await, before);
}
