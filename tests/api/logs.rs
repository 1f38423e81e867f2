//! No PHI in logs: the real binary, at debug level, is driven through requests full
//! of a canary patient's details; neither its output nor the audit table holds them.
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::AsyncReadExt;

use crate::helpers::TestDatabase;

const CANARY_GIVEN: &str = "Zephyrinequill";
const CANARY_FAMILY: &str = "Xanthorrhoea";
const CANARY_EMAIL: &str = "zephyrine.canary@example.org";
const CANARY_PHONE: &str = "+44 20 7946 0777";
const CANARY_DOB: &str = "1961-02-03";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn a_canary_patients_details_never_reach_the_logs_or_the_audit_table() {
    let db = TestDatabase::new();
    let bin = env!("CARGO_BIN_EXE_dermachart");
    let media = tempfile::tempdir().unwrap();
    let admin_pw = "canary admin passphrase";
    let status = tokio::process::Command::new(bin)
        .args([
            "user",
            "create",
            "--role",
            "admin",
            "--email",
            "admin@canary.test",
        ])
        .args([
            "--password-env",
            "CANARY_ADMIN_PW",
            "--database-url",
            &db.url,
        ])
        .env("CANARY_ADMIN_PW", admin_pw)
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let port = free_port();
    let mut server = tokio::process::Command::new(bin)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &db.url)
        .env("MEDIA_DIR", media.path())
        .env("AUDIT_KEY_FILE", media.path().join("audit.key"))
        .env("FRONTEND_DIR", "/nonexistent")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server starts");
    let login = |email: &str, password: &str| {
        http.post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    let admin: Value = login("admin@canary.test", admin_pw)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin = admin["token"].as_str().unwrap().to_owned();
    let r = http
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&admin)
        .json(
            &json!({"email": "doc@canary.test", "password": "canary practitioner passphrase",
            "display_name": "Dr Canary", "role": "practitioner"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let doc: Value = login("doc@canary.test", "canary practitioner passphrase")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let doc = doc["token"].as_str().unwrap().to_owned();

    // Create, read, search, update, break: every path a name can travel.
    let r = http
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&doc)
        .json(&json!({"given_name": CANARY_GIVEN, "family_name": CANARY_FAMILY, "date_of_birth": CANARY_DOB,
            "email": CANARY_EMAIL, "phone": CANARY_PHONE, "medical_history": format!("{CANARY_GIVEN} history"),
            "allergies": [format!("{CANARY_FAMILY} pollen")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let patient: Value = r.json().await.unwrap();
    let id = patient["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/patients/{id}"),
        format!("/api/v1/patients/{id}/record"),
        format!("/api/v1/patients?q={CANARY_FAMILY}"),
        format!("/api/v1/patients?q={CANARY_EMAIL}"),
        format!("/api/v1/patients?q={CANARY_DOB}"),
        format!("/api/v1/{CANARY_GIVEN}"),
        format!("/{CANARY_FAMILY}?{CANARY_EMAIL}"),
    ] {
        http.get(format!("{base}{path}"))
            .bearer_auth(&doc)
            .send()
            .await
            .unwrap();
    }
    let bad_patch = http
        .patch(format!("{base}/api/v1/patients/{id}"))
        .bearer_auth(&doc)
        .json(&json!({"given_name": format!("{CANARY_GIVEN}\u{0007}"), "date_of_birth": CANARY_FAMILY}))
        .send()
        .await
        .unwrap();
    assert!(bad_patch.status().is_client_error());
    let malformed = http
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&doc)
        .header("content-type", "application/json")
        .body(format!(
            "{{\"given_name\": \"{CANARY_GIVEN}\", \"family_name\": {CANARY_FAMILY}}}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let import = http
        .post(format!("{base}/api/v1/patients/import"))
        .bearer_auth(&doc)
        .header("content-type", "text/csv")
        .body(format!(
            "given_name,family_name,date_of_birth\n{CANARY_GIVEN},{CANARY_FAMILY},{CANARY_DOB}\n"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), 422, "a likely duplicate of the canary");
    // A photo whose client filename is the canary's name (it must never be used).
    let t: Value = http
        .post(format!("{base}/api/v1/consent-templates"))
        .bearer_auth(&admin)
        .json(&json!({"title": "Photography", "body_markdown": "Photos.", "risks": [], "scope": "photography"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let consent: Value = http
        .post(format!("{base}/api/v1/patients/{id}/consents"))
        .bearer_auth(&doc)
        .json(&json!({"template_id": t["id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let signed = http
        .post(format!(
            "{base}/api/v1/consents/{}/sign",
            consent["id"].as_str().unwrap()
        ))
        .bearer_auth(&doc)
        .json(
            &json!({"signer_name": format!("{CANARY_GIVEN} {CANARY_FAMILY}"),
            "signature_png_base64": crate::consents::signature_png(), "signer_kind": "patient"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    let mut parts = crate::photos::form_at(
        crate::photos::jpeg(64, 48),
        chrono::Utc::now(),
        "before",
        "frontal",
    );
    parts[0].filename = Some(Box::leak(
        format!("{CANARY_GIVEN}-{CANARY_FAMILY}.jpg").into_boxed_str(),
    ));
    let (content_type, body) = crate::photos::multipart_request(&parts);
    let photo = http
        .post(format!("{base}/api/v1/patients/{id}/photos"))
        .bearer_auth(&doc)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), 201);
    let failed_login = login(CANARY_EMAIL, CANARY_FAMILY).await.unwrap();
    assert_eq!(failed_login.status(), 401);
    // The canary gets a portal login (by a colleague of whoever set the email), then
    // asks for a reset: the known-account path writes tokens, outbox and audit rows.
    let portal = http
        .post(format!("{base}/api/v1/patients/{id}/portal-account"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(portal.status(), 201);
    let reset = http
        .post(format!("{base}/api/v1/auth/password-reset"))
        .json(&json!({"email": CANARY_EMAIL}))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 202);
    // The link is issued after the answer: wait until its audit row is there.
    let settings = crate::helpers::test_settings(&db.url);
    let pool = dermachart::startup::prepare_database(&settings).unwrap();
    let mut issued = false;
    for _ in 0..100 {
        let p = pool.clone();
        issued = tokio::task::spawn_blocking(move || {
            let mut conn = p.get().unwrap();
            dermachart::db::models::audit::list(&mut conn, &Default::default(), 10_000)
                .unwrap()
                .iter()
                .any(|r| r.entity_type == "password_reset")
        })
        .await
        .unwrap();
        if issued {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(issued, "the reset link was issued");

    // Read the audit table straight from the database, then stop the server.
    let audit = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        format!(
            "{:?}",
            dermachart::db::models::audit::list(&mut conn, &Default::default(), 10_000).unwrap()
        )
    })
    .await
    .unwrap();
    assert!(audit.contains(id), "the audit rows name the patient by id");
    server.start_kill().unwrap();
    let mut out = String::new();
    let mut err = String::new();
    server
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .await
        .unwrap();
    let _ = server.wait().await;
    let logs = format!("{out}\n{err}");
    assert!(logs.contains("answered"), "the logs were captured: {logs}");
    for canary in [
        CANARY_GIVEN,
        CANARY_FAMILY,
        CANARY_EMAIL,
        CANARY_PHONE,
        CANARY_DOB,
        "zephyrine",
    ] {
        assert!(
            !logs.to_lowercase().contains(&canary.to_lowercase()),
            "{canary} in the logs"
        );
        assert!(
            !audit.to_lowercase().contains(&canary.to_lowercase()),
            "{canary} in the audit table"
        );
    }
}
