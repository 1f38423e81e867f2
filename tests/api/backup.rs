//! `dermachart backup` / `restore`: a backup taken from the real binary while it
//! is being written to restores into a fresh database that holds every write
//! acknowledged before the backup began, the media, and a chain that verifies.
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{test_settings, TestDatabase};

const ADMIN_EMAIL: &str = "admin@backup.test";
const ADMIN_PW: &str = "backup admin passphrase";
const DOC_PW: &str = "backup practitioner passphrase";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The environment one installation runs with.
fn storage_env(cmd: &mut tokio::process::Command, db: &TestDatabase, dir: &Path) {
    cmd.env("DATABASE_URL", &db.url)
        .env("MEDIA_DIR", dir.join("media"))
        .env("AUDIT_KEY_FILE", dir.join("audit.key"))
        .env("FRONTEND_DIR", "/nonexistent");
}

async fn run(args: &[&str], db: &TestDatabase, dir: &Path) -> (bool, String) {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_dermachart"));
    cmd.args(args);
    storage_env(&mut cmd, db, dir);
    let out = cmd.env("BACKUP_TEST_PW", ADMIN_PW).output().await.unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let body: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().expect("a token").to_owned()
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_every_acknowledged_write_and_a_verifying_chain() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = run(
        &[
            "user",
            "create",
            "--role",
            "admin",
            "--email",
            ADMIN_EMAIL,
            "--password-env",
            "BACKUP_TEST_PW",
        ],
        &db,
        dir.path(),
    )
    .await;
    assert!(ok, "{out}");
    std::fs::create_dir_all(dir.path().join("media/ab")).unwrap();
    std::fs::write(dir.path().join("media/ab/probe.bin"), b"a stored photo").unwrap();

    // The real binary serves, anchoring the chain head every 100 ms.
    let port = free_port();
    let mut serve = tokio::process::Command::new(env!("CARGO_BIN_EXE_dermachart"));
    serve.args(["serve", "--bind", &format!("127.0.0.1:{port}")]);
    storage_env(&mut serve, &db, dir.path());
    let mut server = serve
        .env("AUDIT_ANCHOR_INTERVAL_MS", "100")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
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
    let admin = login(&http, &base, ADMIN_EMAIL, ADMIN_PW).await;
    let created = http
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"email": "doc@backup.test", "password": DOC_PW,
            "display_name": "Dr Backup", "role": "practitioner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let doc = login(&http, &base, "doc@backup.test", DOC_PW).await;

    // Four writers create patients without pause; each acknowledged id is noted.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (http, base, doc) = (http.clone(), base.clone(), doc.clone());
        let (acked, stop) = (acked.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let r = http
                    .post(format!("{base}/api/v1/patients"))
                    .bearer_auth(&doc)
                    .json(
                        &json!({"given_name": format!("Load{w}x{i}"), "family_name": "Backup",
                        "date_of_birth": "1980-05-17", "sex": "female"}),
                    )
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                let body: Value = r.json().await.unwrap();
                acked
                    .lock()
                    .unwrap()
                    .push(body["id"].as_str().unwrap().to_owned());
            }
        }));
    }
    while acked.lock().unwrap().len() < 40 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before: Vec<String> = acked.lock().unwrap().clone();
    let archive = dir.path().join("clinic.tar");
    let (ok, out) = run(
        &["backup", "--to", archive.to_str().unwrap()],
        &db,
        dir.path(),
    )
    .await;
    assert!(ok, "{out}");
    let during = acked.lock().unwrap().len() - before.len();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    server.kill().await.unwrap();
    eprintln!(
        "backup: {} writes acknowledged before it began, {during} while it ran; {out}",
        before.len()
    );

    // Restore into a new database, media folder and key.
    let restored_db = TestDatabase::new();
    let restored = tempfile::tempdir().unwrap();
    let (ok, out) = run(
        &["restore", "--from", archive.to_str().unwrap()],
        &restored_db,
        restored.path(),
    )
    .await;
    assert!(ok, "{out}");
    assert!(out.contains("audit chain verifies"), "{out}");
    // Restoring over it again is refused without --force.
    let (ok, out) = run(
        &["restore", "--from", archive.to_str().unwrap()],
        &restored_db,
        restored.path(),
    )
    .await;
    assert!(!ok && out.contains("--force"), "{out}");
    let (ok, out) = run(
        &["restore", "--force", "--from", archive.to_str().unwrap()],
        &restored_db,
        restored.path(),
    )
    .await;
    assert!(ok && out.contains("audit chain verifies"), "{out}");
    assert_eq!(
        std::fs::read(restored.path().join("media/ab/probe.bin")).unwrap(),
        b"a stored photo"
    );
    assert_eq!(
        std::fs::read(restored.path().join("audit.key")).unwrap(),
        std::fs::read(dir.path().join("audit.key")).unwrap()
    );

    // The restored installation serves every acknowledged write and a verifying chain.
    let mut settings = test_settings(&restored_db.url);
    settings.media_dir = restored.path().join("media");
    settings.audit.audit_key_file = restored.path().join("audit.key");
    let app = tokio::task::spawn_blocking(move || {
        dermachart::startup::Application::build(settings, None)
    })
    .await
    .unwrap()
    .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let admin = login(&http, &base, ADMIN_EMAIL, ADMIN_PW).await;
    for id in &before {
        let r = http
            .get(format!("{base}/api/v1/patients/{id}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged patient {id}");
    }
    let report: Value = http
        .get(format!("{base}/api/v1/audit/verify"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["truncated"], false, "{report}");
    assert!(report["anchor"]["seq"].as_i64().unwrap() > 0, "{report}");
    handle.stop(false).await;
}
