//! `/healthz`, `/readyz`, `/metrics`, and the headers every answer carries.
use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn healthz_and_readyz_answer_ok_when_the_database_is_up() {
    let app = spawn_app().await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    for (path, status) in [
        ("/healthz", 200),
        ("/api/v1/nothing-here", 404),
        ("/api/v1/patients", 401),
        ("/api/v1/openapi.json", 200),
        ("/test/panic", 500),
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), status, "{path}");
        let h = r.headers();
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer", "{path}");
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_not_by_raw_path() {
    let app = spawn_app().await;
    let token = app.staff_token().await;
    let missing = uuid::Uuid::new_v4();
    app.get(&token, &format!("/api/v1/patients/{missing}"))
        .await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("dermachart_http_requests_total"));
    assert!(text.contains(r#"route="/api/v1/patients/{id}""#), "{text}");
    assert!(
        !text.contains(&missing.to_string()),
        "raw ids must not become labels"
    );
    assert!(text.contains("dermachart_http_request_duration_seconds_bucket"));
    assert!(text.contains("dermachart_db_pool_connections"));
}

#[tokio::test]
async fn metrics_are_refused_to_peers_outside_the_allow_list_without_the_token() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.metrics_allow = vec!["10.9.9.9/32".parse().unwrap()];
        s.metrics_token = Some("s3cret-metrics-token".into());
    })
    .await;
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_problem(r, 404).await;
    let r = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("s3cret-metrics-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_the_api_with_its_prefix() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/patients/{id}"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/auth/login"]["post"]["responses"]["401"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}
