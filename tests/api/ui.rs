//! What the web UI needs from the server: its files served with the right caching, the
//! clinic's time zone, the calendar's one request with names, and the OpenAPI document
//! the UI's types are generated from.
use serde_json::{json, Value};

use crate::helpers::clinic::{clinic, monday};
use crate::helpers::{spawn_app, spawn_app_with};

/// A tiny built UI: `index.html` and one hashed asset.
struct BuiltUi(std::path::PathBuf);

impl BuiltUi {
    fn new() -> BuiltUi {
        let dir = std::env::temp_dir().join(format!("dermachart-ui-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>DermaChart</title><script type=module src=/assets/index-abc123.js></script>",
        )
        .unwrap();
        std::fs::write(dir.join("assets/index-abc123.js"), "console.log(1)").unwrap();
        BuiltUi(dir)
    }
}

impl Drop for BuiltUi {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cache_control(r: &reqwest::Response) -> String {
    r.headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_pages_are_revalidated() {
    let ui = BuiltUi::new();
    let dir = ui.0.clone();
    let app = spawn_app_with(move |s| s.frontend_dir = dir).await;
    let html = |path: &str| {
        app.client
            .get(app.url(path))
            .header("accept", "text/html,application/xhtml+xml")
            .send()
    };

    let asset = app
        .client
        .get(app.url("/assets/index-abc123.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), 200);
    assert_eq!(cache_control(&asset), "public, max-age=31536000, immutable");
    assert!(asset
        .headers()
        .get("content-security-policy")
        .is_some_and(|v| v.to_str().unwrap().contains("script-src 'self'")));

    for path in ["/", "/index.html", "/calendar", "/patients/123?q=x"] {
        let page = html(path).await.unwrap();
        assert_eq!(page.status(), 200, "{path}");
        assert_eq!(cache_control(&page), "no-cache", "{path}");
        assert!(page
            .text()
            .await
            .unwrap()
            .contains("<title>DermaChart</title>"));
    }

    // A missing asset is a 404 problem, not index.html; so is an unknown API path.
    let missing = app
        .client
        .get(app.url("/assets/gone-000.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let api = html("/api/v1/nothing-here").await.unwrap();
    assert_eq!(api.status(), 404);
    assert!(api
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/problem+json")));
    // API answers keep `no-store`.
    let doc = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(cache_control(&doc), "no-store");
}

#[tokio::test]
async fn anyone_can_learn_the_clinics_time_zone_and_online_booking_rules() {
    let app = spawn_app_with(|s| {
        s.clinic_timezone = "America/Chicago".parse().unwrap();
        s.portal_min_lead_minutes = 90;
        s.portal_max_open = 2;
    })
    .await;
    let r = app
        .client
        .get(app.url("/api/v1/clinic"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"timezone": "America/Chicago", "online_booking": {
            "min_lead_minutes": 90, "max_days_ahead": 365, "max_open_appointments": 2}})
    );
}

#[tokio::test]
async fn the_calendar_gets_names_in_one_request_audited_once_per_patient() {
    let c = clinic().await;
    let ada = c.patient("Ada").await;
    let bo = c.patient("Bo").await;
    c.book_ok(&ada, &c.practitioners[0], &c.consultation, monday(1, 9, 0))
        .await;
    c.book_ok(&ada, &c.practitioners[0], &c.consultation, monday(1, 11, 0))
        .await;
    c.book_ok(&bo, &c.practitioners[1], &c.facial, monday(1, 9, 0))
        .await;
    let window = format!(
        "from={}&to={}",
        monday(1, 0, 0).to_rfc3339().replace('+', "%2B"),
        monday(1, 23, 0).to_rfc3339().replace('+', "%2B")
    );

    // Without `include`, no names.
    let plain: Value = c
        .app
        .get(&c.desk, &format!("/api/v1/appointments?{window}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(plain["items"][0].get("patient_name").is_none());

    let searches_before = search_rows(&c.app).await;
    let r = c
        .app
        .get(
            &c.desk,
            &format!("/api/v1/appointments?{window}&include=names"),
        )
        .await;
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let labels: Vec<(String, String)> = items
        .iter()
        .map(|a| {
            (
                a["patient_name"].as_str().unwrap().to_owned(),
                a["service_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(labels.contains(&("Ada Booker".into(), "Consultation".into())));
    assert!(labels.contains(&("Bo Booker".into(), "Stem cell facial".into())));
    // The appointment's own fields are still there, flattened.
    assert!(items[0]["status"].is_string() && items[0]["version"].is_i64());
    // One `search` row per patient listed (two patients, three appointments).
    let searches = search_rows(&c.app).await;
    let mut new: Vec<_> = searches[searches_before.len()..].to_vec();
    new.sort();
    let mut expected = vec![ada.clone(), bo.clone()];
    expected.sort();
    assert_eq!(new, expected);

    // Polling with the ETag: 304, no body, nothing audited.
    let again = c
        .app
        .client
        .get(
            c.app
                .url(&format!("/api/v1/appointments?{window}&include=names")),
        )
        .bearer_auth(&c.desk)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(search_rows(&c.app).await.len(), searches.len());

    // Someone cancels one: the same poll now answers 200 with a new ETag.
    let first = items[0]["id"].as_str().unwrap();
    assert_eq!(c.act(first, "cancel").await.status(), 200);
    let changed = c
        .app
        .client
        .get(
            c.app
                .url(&format!("/api/v1/appointments?{window}&include=names")),
        )
        .bearer_auth(&c.desk)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);

    // An unknown `include` is a 400 problem, not a 500.
    let bad = c
        .app
        .get(
            &c.desk,
            &format!("/api/v1/appointments?{window}&include=everything"),
        )
        .await;
    assert_eq!(bad.status(), 400);
}

/// The patient ids of the `search` audit rows, oldest first.
async fn search_rows(app: &crate::helpers::TestApp) -> Vec<String> {
    app.audit_rows()
        .await
        .into_iter()
        .filter(|r| r.action == "search" && r.entity_type == "patient")
        .filter_map(|r| r.patient_id.map(|p| p.to_string()))
        .collect()
}

#[tokio::test]
async fn the_openapi_subcommand_prints_the_served_document() {
    let app = spawn_app().await;
    let served: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_dermachart"))
        .arg("openapi")
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, served);
    assert!(printed["paths"]["/api/v1/clinic"]["get"].is_object());
}

/// Built without npm (no `index.html` in `FRONTEND_DIR`), the real binary still serves the
/// API, says plainly in its log that the UI is not built and how to build it, and a
/// browser asking for a page gets a problem, not a blank or broken page.
#[tokio::test]
async fn without_a_built_ui_the_api_is_served_and_the_log_says_the_ui_is_not_built() {
    let app = spawn_app().await;
    let server = crate::helpers::ServerProcess::start(&app.db.url, &[]).await;
    let client = reqwest::Client::new();
    let health = client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let page = client
        .get(server.url("/calendar"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert_eq!(
        page.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let log = server.log_text();
    assert!(
        log.contains("the web UI is not built") && log.contains("npm ci && npm run build"),
        "the log does not say the UI is not built: {log}"
    );
}
