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

/// The real binary at debug level on a fresh database with one admin.
struct Served {
    server: Server,
    base: String,
    http: reqwest::Client,
    db: TestDatabase,
    _media: tempfile::TempDir,
}

const ADMIN_PW: &str = "canary admin passphrase";

async fn serve() -> Served {
    let db = TestDatabase::new();
    let bin = env!("CARGO_BIN_EXE_dermachart");
    let media = tempfile::tempdir().unwrap();
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
        .env("CANARY_ADMIN_PW", ADMIN_PW)
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let port = free_port();
    let mut child = tokio::process::Command::new(bin)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &db.url)
        .env("MEDIA_DIR", media.path())
        .env("AUDIT_KEY_FILE", media.path().join("audit.key"))
        .env("FRONTEND_DIR", "/nonexistent")
        .env("RUST_LOG", "debug")
        // Colours off only because the output is a pipe, not because of the caller's
        // environment (the test below checks that a piped log has no escape codes).
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Read the output as it comes (a full pipe would stall the server).
    let drain = |mut pipe: Box<dyn tokio::io::AsyncRead + Unpin + Send>| {
        tokio::spawn(async move {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text).await;
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let server = Server {
        child,
        stdout,
        stderr,
    };
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
    Served {
        server,
        base,
        http,
        db,
        _media: media,
    }
}

struct Server {
    child: tokio::process::Child,
    stdout: tokio::task::JoinHandle<String>,
    stderr: tokio::task::JoinHandle<String>,
}

/// Stops the server and returns everything it wrote.
async fn logs_of(mut server: Server) -> String {
    server.child.start_kill().unwrap();
    let _ = server.child.wait().await;
    let out = server.stdout.await.unwrap();
    let err = server.stderr.await.unwrap();
    format!("{out}\n{err}")
}

#[tokio::test]
async fn a_canary_patients_details_never_reach_the_logs_or_the_audit_table() {
    let Served {
        server,
        base,
        http,
        db,
        _media,
    } = serve().await;
    let admin_pw = ADMIN_PW;
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
            "signature_png_base64": crate::helpers::consents::signature_png(), "signer_kind": "patient"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    let mut parts = crate::helpers::photos::form_at(
        crate::helpers::photos::jpeg(64, 48),
        chrono::Utc::now(),
        "before",
        "frontal",
    );
    parts[0].filename = Some(Box::leak(
        format!("{CANARY_GIVEN}-{CANARY_FAMILY}.jpg").into_boxed_str(),
    ));
    let (content_type, body) = crate::helpers::photos::multipart_request(&parts);
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
    let logs = logs_of(server).await;
    assert!(logs.contains("answered"), "the logs were captured: {logs}");
    // Its output is a pipe, not a terminal: no colour codes in what a log file keeps.
    assert!(
        !logs.contains('\u{1b}'),
        "ANSI escape codes in logs written to a pipe"
    );
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

const WRONG_NUMBER: u64 = 12_345_678_901_234_567;
const WRONG_TEXT: &str = "Quillwrongtypecanary";

/// Every type a schema allows, following `$ref`, `oneOf`, `anyOf` and `allOf`.
fn schema_types(doc: &Value, schema: &Value, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    match &schema["type"] {
        Value::String(t) => out.push(t.clone()),
        Value::Array(ts) => out.extend(ts.iter().filter_map(|t| t.as_str().map(str::to_owned))),
        _ => {}
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for s in schema[key].as_array().into_iter().flatten() {
            schema_types(doc, s, out);
        }
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The property names of an object schema (through `$ref` and `allOf`).
fn properties(doc: &Value, schema: &Value, out: &mut Vec<(String, Value)>) {
    let schema = resolve(doc, schema);
    if let Some(props) = schema["properties"].as_object() {
        out.extend(props.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for s in schema["allOf"].as_array().into_iter().flatten() {
        properties(doc, s, out);
    }
}

/// A body per field of every JSON-body route: that one field with a value of the
/// wrong type that carries a canary (a number for text fields, text otherwise).
fn wrong_typed_bodies() -> Vec<(String, String, String, Value)> {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(dermachart::routes::openapi::ApiDoc::openapi()).unwrap();
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let Some(schema) = op["requestBody"]["content"]["application/json"].get("schema")
            else {
                continue;
            };
            let schema = resolve(&doc, schema);
            let (list, object) = if schema["type"] == "array" {
                (true, &schema["items"])
            } else {
                (false, schema)
            };
            let mut props = Vec::new();
            properties(&doc, object, &mut props);
            for (name, field_schema) in props {
                let mut types = Vec::new();
                schema_types(&doc, &field_schema, &mut types);
                types.retain(|t| t != "null");
                let mut wrong = Vec::new();
                if types.is_empty() || types.iter().all(|t| t == "string") {
                    wrong.push(json!(WRONG_NUMBER));
                }
                if !types.iter().all(|t| t == "string") {
                    wrong.push(json!(WRONG_TEXT));
                }
                for value in wrong {
                    let mut body = json!({ name.clone(): value });
                    if list {
                        body = json!([body]);
                    }
                    out.push((method.to_uppercase(), path.clone(), name.clone(), body));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn wrong_typed_bodies_on_every_route_leave_no_value_in_the_logs_or_answers() {
    use dermachart::auth::policy::{self, Lookup};
    use dermachart::domain::role::Role;
    let Served {
        server,
        base,
        http,
        db,
        _media,
    } = serve().await;
    let login = |email: String, password: &'static str| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let r: Value = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": email, "password": password}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["token"].as_str().unwrap().to_owned()
        }
    };
    let admin = login("admin@canary.test".into(), ADMIN_PW).await;
    let staff_pw = "canary staff passphrase";
    let mut tokens = vec![(Role::Admin, admin.clone())];
    for role in [Role::Practitioner, Role::FrontDesk] {
        let email = format!("{}@canary.test", role.as_str());
        let r = http
            .post(format!("{base}/api/v1/users"))
            .bearer_auth(&admin)
            .json(&json!({"email": email, "password": staff_pw, "display_name": "Staff", "role": role.as_str()}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        tokens.push((role, login(email, staff_pw).await));
    }
    // A patient with a portal login (written straight into the database).
    let doc = tokens[1].1.clone();
    let patient: Value = http
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&doc)
        .json(&json!({"given_name": "Portal", "family_name": "Person", "date_of_birth": "1970-01-01"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let patient_id: dermachart::db::types::PatientId =
        dermachart::db::types::PatientId(patient["id"].as_str().unwrap().parse().unwrap());
    let pool =
        dermachart::startup::prepare_database(&crate::helpers::test_settings(&db.url)).unwrap();
    tokio::task::spawn_blocking(move || {
        let hash = dermachart::auth::password::hash_blocking(staff_pw).unwrap();
        let now = dermachart::db::now();
        dermachart::db::models::users::insert(
            &mut pool.get().unwrap(),
            &dermachart::db::models::users::NewUser {
                id: dermachart::db::types::UserId::new(),
                email: "patient@canary.test",
                display_name: "Portal Person",
                role: "patient",
                password_hash: &hash,
                active: true,
                patient_id: Some(patient_id),
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .unwrap();
    })
    .await
    .unwrap();
    tokens.push((
        Role::Patient,
        login("patient@canary.test".into(), staff_pw).await,
    ));

    let bodies = wrong_typed_bodies();
    assert!(bodies.len() > 100, "{} bodies", bodies.len());
    let mut not_422 = Vec::new();
    for (method, path, field, body) in &bodies {
        let access = match policy::lookup(method, path) {
            Lookup::Found(access) => access,
            other => panic!("{method} {path}: {other:?}"),
        };
        let token = tokens
            .iter()
            .find(|(role, _)| access.allows(*role))
            .map(|(_, t)| t.clone());
        let url = format!("{base}{}", path_with_ids(path));
        let mut request = http
            .request(method.parse().unwrap(), url)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let r = request.send().await.unwrap();
        let status = r.status();
        let answer = r.text().await.unwrap();
        assert!(
            !answer.contains(&WRONG_NUMBER.to_string()) && !answer.contains(WRONG_TEXT),
            "{method} {path} {field}: the answer quotes the value: {answer}"
        );
        if status != 422 {
            not_422.push(format!("{method} {path} {field}: {status}"));
        }
    }
    let logs = logs_of(server).await;
    assert!(logs.contains("answered"), "the logs were captured");
    assert!(
        not_422.is_empty(),
        "every wrong-typed body is a 422: {not_422:#?}"
    );
    assert!(
        !logs.contains(&WRONG_NUMBER.to_string()),
        "a wrong-typed number reached the logs"
    );
    assert!(
        !logs.contains(WRONG_TEXT),
        "a wrong-typed text reached the logs"
    );
}

/// A documented path with a fresh UUID for every parameter.
fn path_with_ids(path: &str) -> String {
    path.split('/')
        .map(|part| {
            if part.starts_with('{') {
                uuid::Uuid::now_v7().to_string()
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
