//! The role × route matrix: every route is classified, and every role gets exactly
//! what the policy says — 401 without a session, 403 for staff, 404 for patients.
use std::collections::BTreeSet;

use serde_json::{json, Value};
use utoipa::OpenApi;

use dermachart::auth::policy::{Access, RULES};
use dermachart::domain::role::Role;

use crate::helpers::{spawn_app, Session};

fn documented_routes() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(dermachart::routes::openapi::ApiDoc::openapi()).unwrap();
    let mut routes = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

#[test]
fn every_documented_route_is_classified_and_every_rule_is_documented() {
    let documented = documented_routes();
    let classified: BTreeSet<(String, String)> = RULES
        .iter()
        .map(|r| (r.method.to_owned(), r.pattern.to_owned()))
        .collect();
    let unclassified: Vec<_> = documented.difference(&classified).collect();
    assert!(
        unclassified.is_empty(),
        "routes missing from the policy: {unclassified:?}"
    );
    let undocumented: Vec<_> = classified.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "rules for routes not in the OpenAPI document: {undocumented:?}"
    );
}

#[tokio::test]
async fn every_route_answers_each_role_as_the_policy_says() {
    let app = spawn_app().await;
    let mut sessions: Vec<Session> = Vec::new();
    for role in Role::ALL {
        sessions.push(app.sign_in(role).await);
    }
    let staff = app.staff_token().await;
    let patient = app.create_patient(&staff, "Matrix", "Subject").await;
    let patient_id = patient["id"].as_str().unwrap().to_owned();
    // A bystander account for the /users/{id} routes (removing its TOTP ends its sessions).
    let user_id = app
        .insert_user(Role::FrontDesk, "bystander@test.dermachart", None)
        .await
        .to_string();

    let mut failures = Vec::new();
    for rule in RULES {
        if rule.access == Access::Public {
            continue;
        }
        let id = if rule.pattern.starts_with("/api/v1/users") {
            &user_id
        } else {
            &patient_id
        };
        let path = rule.pattern.replace("{id}", id);
        // Without a session: 401 everywhere.
        let r = app
            .client
            .request(rule.method.parse().unwrap(), app.url(&path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        if r.status() != 401 {
            failures.push(format!("{} {path} anonymous → {}", rule.method, r.status()));
        }
        for s in &sessions {
            // Logging out would end the session the rest of the matrix uses.
            if rule.pattern.ends_with("/auth/logout")
                || (rule.method == "DELETE" && rule.pattern.ends_with("/patients/{id}"))
            {
                continue;
            }
            let r = app
                .client
                .request(rule.method.parse().unwrap(), app.url(&path))
                .bearer_auth(&s.token)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let allowed = rule.access.allows(s.role);
            let ok = if allowed {
                // On /me/{id} routes (and a patient's own photo by id) a stranger's id
                // is rightly 404 from the handler; so is an unknown consent template.
                let own_record_lookup = (rule.pattern.starts_with("/api/v1/me/")
                    && rule.pattern.contains("{id}"))
                    || rule.pattern == "/api/v1/photos/{id}"
                    || rule.pattern == "/api/v1/consent-templates/{id}";
                status != 401
                    && status != 403
                    && !(s.role == Role::Patient && status == 404 && !own_record_lookup)
            } else if s.role == Role::Patient {
                status == 404
                    && body["type"]
                        .as_str()
                        .is_some_and(|t| t.ends_with("not-found"))
            } else {
                status == 403
            };
            if !ok {
                failures.push(format!("{} {path} as {} → {status}", rule.method, s.role));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "policy violations:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn percent_escaped_paths_cannot_slip_past_the_policy() {
    let app = spawn_app().await;
    app.sign_in(Role::Admin).await;
    for path in [
        "/api/v1/%61udit",
        "/%61pi/v1/audit",
        "/api/v1/%75sers",
        "/api/v1/audit/%76erify",
        "/api%2Fv1/audit",
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert!(status == 404 || status == 401, "{path} → {status}");
        assert!(
            !body.contains("\"items\"") && !body.contains("rows_checked"),
            "{path} leaked: {body}"
        );
    }
}

#[tokio::test]
async fn a_wrong_method_is_405_for_staff_401_anonymously_and_404_for_a_patient() {
    let app = spawn_app().await;
    let staff = app.staff_token().await;
    let patient = app.sign_in(Role::Patient).await;
    let put = |token: Option<String>| {
        let app = &app;
        async move {
            let mut r = app.client.put(app.url("/api/v1/patients")).json(&json!({}));
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            r.send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(put(Some(staff)).await, 405);
    assert_eq!(put(None).await, 401);
    assert_eq!(put(Some(patient.token.clone())).await, 404);
    let rows = app.audit_rows().await;
    assert!(rows
        .iter()
        .any(|r| r.action == "access_denied" && r.actor_id == Some(patient.user_id)));
}
