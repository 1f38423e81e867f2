//! The test harness: the real app on a random port, a fresh real database per test
//! (a SQLite file, or a new PostgreSQL database when `TEST_DATABASE_URL` is set),
//! and one signed-in client per role.
use std::path::PathBuf;
use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};

use dermachart::config::Settings;
use dermachart::db::models::users::{self, NewUser};
use dermachart::db::types::{PatientId, UserId};
use dermachart::db::{Backend, DbConnection, DbPool};
use dermachart::domain::role::Role;
use dermachart::startup::Application;
use dermachart::state::AppState;

pub mod clinic;
pub mod clinical;
pub mod consents;
pub mod mail;
pub mod photos;

/// The password every test user has.
pub const PASSWORD: &str = "correct horse battery staple";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| dermachart::auth::password::hash_blocking(PASSWORD).expect("hash"))
}

/// Which backend this run tests.
pub fn backend() -> Backend {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// A throwaway database, removed when dropped.
pub struct TestDatabase {
    pub url: String,
    sqlite_dir: Option<PathBuf>,
    pg: Option<(String, String)>,
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

impl TestDatabase {
    pub fn new() -> TestDatabase {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        match backend() {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("dermachart-test-{tag}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                TestDatabase {
                    url: format!("sqlite://{}", dir.join("test.db").display()),
                    sqlite_dir: Some(dir),
                    pg: None,
                }
            }
            Backend::Postgres => {
                let admin_url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
                let name = format!("dct_{tag}");
                let mut admin =
                    PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                TestDatabase {
                    url: replace_db_name(&admin_url, &name),
                    sqlite_dir: None,
                    pg: Some((admin_url, name)),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(dir) = audit_key_for(&self.url).parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(dir) = &self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin_url, name)) = &self.pg {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A per-test `MEDIA_DIR`, removed when the test ends.
pub struct MediaDir(pub PathBuf);

impl MediaDir {
    fn new() -> MediaDir {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        MediaDir(std::env::temp_dir().join(format!("dermachart-media-{tag}")))
    }
}

impl MediaDir {
    /// The test's own audit key and anchor file live beside its media folder.
    pub fn audit_dir(&self) -> PathBuf {
        self.0.with_extension("audit")
    }
}

impl Drop for MediaDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        let _ = std::fs::remove_dir_all(self.audit_dir());
    }
}

pub struct TestApp {
    /// Stops the server's worker threads when the test ends (they hold database connections).
    server: actix_web::dev::ServerHandle,
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub state: AppState,
    pub db: TestDatabase,
    pub media: MediaDir,
}

pub fn test_settings(url: &str) -> Settings {
    let mut settings = Settings::with_database_url(url);
    settings.bind = "127.0.0.1:0".into();
    settings.hash_concurrency = 2;
    settings.frontend_dir = PathBuf::from("/nonexistent");
    settings
}

/// A route that panics, mounted only in tests.
fn test_routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.route(
        "/test/panic",
        actix_web::web::get().to(|| async {
            if std::hint::black_box(true) {
                panic!("deliberate test panic");
            }
            actix_web::HttpResponse::Ok().finish()
        }),
    );
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDatabase::new();
    let media = MediaDir::new();
    let mut settings = test_settings(&db.url);
    settings.media_dir = media.0.clone();
    settings.audit.audit_key_file = audit_key_for(&db.url);
    adjust(&mut settings);
    let app = tokio::task::spawn_blocking(move || Application::build(settings, Some(test_routes)))
        .await
        .expect("join")
        .expect("the app builds");
    let port = app.port();
    let state = app.state.clone();
    let server = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        server,
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        state,
        db,
        media,
    }
}

/// A signed-in user.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub user_id: UserId,
    pub email: String,
    pub role: Role,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; nothing needs to await it.
        drop(self.server.stop(false));
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Writable connections (on SQLite the requests' own pool is read-only).
    pub fn background_pool(&self) -> &DbPool {
        &self.state.background
    }

    /// The connections requests read through (on SQLite, read-only ones).
    pub fn request_pool(&self) -> &DbPool {
        &self.state.pool
    }

    /// Runs blocking database work directly (setting up, or checking what was stored).
    pub async fn with_db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> T + Send + 'static,
    ) -> T {
        let pool = self.state.background.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().expect("a connection");
            work(&mut conn)
        })
        .await
        .expect("join")
    }

    pub async fn sql(&self, statements: &str) -> Result<(), diesel::result::Error> {
        let statements = statements.to_owned();
        self.with_db(move |conn| conn.batch_execute(&statements))
            .await
    }

    /// Inserts a user directly (fast: the hash is computed once per run).
    pub async fn insert_user(
        &self,
        role: Role,
        email: &str,
        patient_id: Option<PatientId>,
    ) -> UserId {
        let email = email.to_owned();
        self.with_db(move |conn| {
            let now = dermachart::db::now();
            users::insert(
                conn,
                &NewUser {
                    id: UserId::new(),
                    email: &email,
                    display_name: &format!("Test {}", role.as_str()),
                    role: role.as_str(),
                    password_hash: password_hash(),
                    active: true,
                    patient_id,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )
            .expect("insert user")
            .id
        })
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("request")
    }

    /// A user of this role, signed in. Patients get a patient record of their own.
    pub async fn sign_in(&self, role: Role) -> Session {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let email = format!("{}-{}@test.dermachart", role.as_str(), &tag[..8]);
        let patient_id = if role == Role::Patient {
            let admin = self.staff_token().await;
            let p = self.create_patient(&admin, "Portal", "User").await;
            Some(PatientId(
                p["id"].as_str().expect("id").parse().expect("uuid"),
            ))
        } else {
            None
        };
        let user_id = self.insert_user(role, &email, patient_id).await;
        let response = self.login(&email, PASSWORD).await;
        assert_eq!(response.status(), 200, "login of a fresh {role} user");
        let body: Value = response.json().await.expect("json");
        Session {
            token: body["token"].as_str().expect("token").to_owned(),
            user_id,
            email,
            role,
        }
    }

    /// A practitioner's token, for setting things up.
    pub async fn staff_token(&self) -> String {
        Box::pin(self.sign_in(Role::Practitioner)).await.token
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// A `PATCH` that names the version it changes (`If-Match`: an `ETag` from a read).
    pub async fn patch_if_match(
        &self,
        token: &str,
        path: &str,
        etag: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .header("if-match", etag)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn create_patient(&self, token: &str, given: &str, family: &str) -> Value {
        let response = self
            .post(
                token,
                "/api/v1/patients",
                &json!({
                    "given_name": given,
                    "family_name": family,
                    "date_of_birth": "1980-05-17",
                    "sex": "female",
                    "phone": "+44 20 7946 0958",
                    "email": format!("{}.{}@example.org", given.to_lowercase(), family.to_lowercase()),
                }),
            )
            .await;
        assert_eq!(response.status(), 201, "create patient");
        response.json().await.expect("json")
    }

    /// Every audit row, oldest first, as JSON (read straight from the table).
    pub async fn audit_rows(&self) -> Vec<dermachart::db::models::audit::AuditRow> {
        self.with_db(|conn| {
            let mut rows =
                dermachart::db::models::audit::list(conn, &Default::default(), 1_000_000)
                    .expect("audit rows");
            rows.reverse();
            rows
        })
        .await
    }
}

/// Asserts a problem+json answer with this status and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type}"
    );
    let body: Value = response.json().await.expect("problem json");
    assert_eq!(body["status"], status);
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
    body
}

/// The field names a 422 lists.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A real `dermachart serve` process (the built binary) on a given database, its
/// output captured to a log file; killed (SIGKILL) when dropped.
pub struct ServerProcess {
    child: tokio::process::Child,
    pub address: String,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

/// The audit key file of the test database `database_url` (a fresh folder per URL;
/// every test's database has its own URL). The folders live in Cargo's scratch folder
/// for integration tests (`target/tmp`), not the system's: a test app's last anchor,
/// written as its server shuts down after the test, can recreate its folder once the
/// test has removed it.
pub fn audit_key_for(database_url: &str) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    database_url.hash(&mut h);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("dermachart-test-audit-{:016x}", h.finish()));
    std::fs::create_dir_all(&dir).expect("audit key folder");
    dir.join("audit.key")
}

impl ServerProcess {
    /// Starts the binary on `database_url` with these extra environment variables and
    /// waits until it answers `/healthz`.
    pub async fn start(database_url: &str, env: &[(&str, String)]) -> ServerProcess {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("server.log");
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_dermachart"));
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            // Port 0: the server binds a free port itself and logs it. Choosing one here
            // and handing it over raced with every other test binding port 0 (another
            // test's server could answer on it).
            .env("BIND", "127.0.0.1:0")
            .env("MEDIA_DIR", dir.path().join("media"))
            .env("FRONTEND_DIR", "/nonexistent")
            .env("RUST_LOG", "info")
            // One audit key (and anchor file) per database, shared by every process
            // on it, across restarts: as operations.md asks of N app servers.
            .env("AUDIT_KEY_FILE", audit_key_for(database_url))
            .stdin(std::process::Stdio::null())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let client = reqwest::Client::new();
        for _ in 0..600 {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(port) = listening_port(&text) {
                let address = format!("http://127.0.0.1:{port}");
                if let Ok(r) = client.get(format!("{address}/healthz")).send().await {
                    if r.status().is_success() {
                        return ServerProcess {
                            child,
                            address,
                            log,
                            _dir: dir,
                        };
                    }
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the server exited ({status}): {text}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        panic!("the server did not start: {text}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Everything the process logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `kill -9`: no shutdown, no flushing, whatever was in flight is cut off.
    pub async fn kill(&mut self) {
        self.child.start_kill().expect("SIGKILL");
        let _ = self.child.wait().await;
    }
}

/// The port in the server's "listening on 127.0.0.1:PORT" log line.
fn listening_port(log: &str) -> Option<u16> {
    log.lines()
        .find_map(|l| l.split("listening on 127.0.0.1:").nth(1))
        .and_then(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
}

/// An instant (or any text with `+` and `:`) made safe for a query string.
pub fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
