//! The OpenAPI document's shape where schemathesis (scripts/schemathesis) cannot hold it:
//! every guarded operation documents what the guard answers, every error is a problem
//! document, and a method a path does not take is 405 with `Allow`.
use dermachart::auth::policy::{Access, RULES};
use dermachart::domain::role::Role;
use serde_json::Value;

use crate::helpers::spawn_app;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn document() -> Value {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn statuses(op: &Value) -> Vec<&str> {
    op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn every_guarded_operation_documents_the_answers_of_the_guard() {
    let doc = document().await;
    let mut failures = Vec::new();
    for rule in RULES {
        let Some(op) = doc["paths"][rule.pattern].get(rule.method.to_lowercase()) else {
            failures.push(format!(
                "{} {} is not documented",
                rule.method, rule.pattern
            ));
            continue;
        };
        let documented = statuses(op);
        let mut wanted = Vec::new();
        if rule.access != Access::Public {
            wanted.push("401");
            let staff_refused = [Role::Admin, Role::FrontDesk, Role::Practitioner]
                .into_iter()
                .any(|r| !rule.access.allows(r));
            if staff_refused || !["GET", "HEAD"].contains(&rule.method) {
                wanted.push("403");
            }
            if !rule.access.allows(Role::Patient) {
                wanted.push("404");
            }
        }
        if op.get("requestBody").is_some() {
            wanted.extend(["413", "415", "422"]);
        }
        if rule.pattern != "/api/v1/openapi.json" {
            wanted.push("503");
        }
        for status in wanted {
            if !documented.contains(&status) {
                failures.push(format!("{} {} lacks {status}", rule.method, rule.pattern));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The patient's own access log refuses staff with 403 (the example).
    assert!(doc["paths"]["/api/v1/me/access-log"]["get"]["responses"]["403"].is_object());
}

#[tokio::test]
async fn every_documented_operation_is_in_the_policy_table() {
    let doc = document().await;
    let mut missing = Vec::new();
    for (method, path, _) in operations(&doc) {
        if !RULES
            .iter()
            .any(|r| r.method == method && r.pattern == path)
        {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[tokio::test]
async fn every_error_answer_is_documented_as_problem_json() {
    let doc = document().await;
    let mut failures = Vec::new();
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let content = response["content"].as_object().unwrap();
            let kinds: Vec<&String> = content.keys().collect();
            if kinds != ["application/problem+json"] {
                failures.push(format!("{method} {path} {status}: {kinds:?}"));
                continue;
            }
            let schema = &content["application/problem+json"]["schema"]["$ref"];
            if schema != "#/components/schemas/Problem" {
                failures.push(format!("{method} {path} {status}: schema {schema}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn a_method_a_path_does_not_take_is_405_with_allow() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    for (method, path, allow) in [
        ("TRACE", "/api/v1/patients", "GET, POST"),
        ("PUT", "/api/v1/patients", "GET, POST"),
        (
            "TRACE",
            "/api/v1/patients/0190a0a0-0000-7000-8000-000000000000",
            "GET, PATCH, DELETE",
        ),
        ("DELETE", "/api/v1/auth/me", "GET"),
    ] {
        let response = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .bearer_auth(&staff)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(
            response.headers().get("allow").map(|v| v.to_str().unwrap()),
            Some(allow),
            "{method} {path}"
        );
        assert!(response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json")));
    }
}

#[tokio::test]
async fn every_field_rule_names_a_property_of_the_document() {
    let doc = document().await;
    let mut missing = Vec::new();
    for (component, property, keywords) in dermachart::routes::openapi::field_rules() {
        let schema = &doc["components"]["schemas"][component]["properties"][property];
        if schema.is_null() {
            missing.push(format!("{component}.{property}"));
            continue;
        }
        // The rule's keywords are in the document (on the non-null branch of an Option).
        let text = schema.to_string();
        for (key, value) in keywords.as_object().unwrap() {
            if key != "type" && key != "items" && !text.contains(&format!("\"{key}\":{value}")) {
                missing.push(format!("{component}.{property}: {key}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[tokio::test]
async fn instants_cursors_and_limits_carry_the_rules_the_server_enforces() {
    let doc = document().await;
    let params = doc["paths"]["/api/v1/appointments"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .clone();
    let param = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))["schema"]
            .clone()
    };
    assert_eq!(param("from")["pattern"], "^(19|[2-9][0-9])[0-9]{2}-");
    assert_eq!(param("cursor")["format"], "time-cursor");
    assert_eq!(param("limit")["minimum"], 1);
    let name = &doc["components"]["schemas"]["CreateLocation"]["properties"]["name"];
    assert_eq!(name["minLength"], 1);
    assert_eq!(name["maxLength"], 200);
    // Every answer of /auth/totp/confirm the server gives, 429 included.
    let confirm = &doc["paths"]["/api/v1/auth/totp/confirm"]["post"]["responses"];
    for status in ["204", "401", "403", "409", "422", "429", "503"] {
        assert!(confirm[status].is_object(), "confirm lacks {status}");
    }
}

#[tokio::test]
async fn a_flattened_body_is_one_object_with_every_property() {
    let doc = document().await;
    // `Consultation` flattens `ConsultationContent`, which refuses unknown fields: as an
    // `allOf`, its `additionalProperties: false` refused the consultation's own fields.
    let schema = &doc["components"]["schemas"]["Consultation"];
    assert!(schema.get("allOf").is_none(), "{schema}");
    for property in ["id", "status", "concerns", "plan", "version"] {
        assert!(schema["properties"][property].is_object(), "no {property}");
    }
}
