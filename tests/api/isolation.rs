//! A patient reaches nothing of another patient's, through any route: every route of
//! the OpenAPI document is tried with every id of another patient's chart, in the
//! path, in `?patient_id=` and in bodies. Each answer is a 404 identical to the one
//! for a random id (or carries none of those ids), each refusal is audited, and the
//! other chart is unchanged afterwards. A new route cannot escape: it is in the document.
use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use utoipa::OpenApi;

use dermachart::auth::policy::{self, Access, Lookup};
use dermachart::domain::role::Role;

use crate::helpers::clinic::clinic;
use crate::helpers::clinical::{ready_procedure, sample};

/// Every string under an `id`-like key of a JSON document (the chart's ids).
fn ids_in(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if (k == "id" || k.ends_with("_id")) && v.as_str().is_some_and(|s| s.len() == 36) {
                    out.insert(v.as_str().unwrap_or_default().to_owned());
                }
                ids_in(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| ids_in(v, out)),
        _ => {}
    }
}

fn documented_routes() -> Vec<(String, String)> {
    let doc = serde_json::to_value(dermachart::routes::openapi::ApiDoc::openapi()).unwrap();
    let mut routes = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

#[tokio::test]
async fn a_patient_reaches_nothing_of_another_patients_through_any_documented_route() {
    let c = clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let me = c.app.sign_in(Role::Patient).await;

    // The other patient: a whole story, and a portal login of their own.
    let other = c.patient("Victim").await;
    let (procedure, _) = ready_procedure(&c, &author, &other).await;
    sample(
        &c,
        &author,
        &other,
        &procedure,
        Utc::now() - Duration::minutes(5),
    )
    .await;
    for (path, body) in [
        (
            format!("/api/v1/patients/{other}/measurements"),
            json!({"measured_at": Utc::now().to_rfc3339(), "metric": "firmness", "value": 0.31, "unit": "mm"}),
        ),
        (
            format!("/api/v1/patients/{other}/adverse-events"),
            json!({"procedure_id": procedure, "onset_at": Utc::now().to_rfc3339(), "kind": "swelling",
                   "severity": "mild", "phase": "application", "description": "Mild swelling.", "action_taken": "None."}),
        ),
    ] {
        let r = c.app.post(&author.token, &path, &body).await;
        assert_eq!(r.status(), 201, "{path}");
    }
    let r = c
        .app
        .post(
            &c.admin,
            &format!("/api/v1/patients/{other}/portal-account"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 201);
    // A photo behind a photography consent, and a consent still waiting to be signed.
    let photography =
        crate::helpers::consents::template(&c.app, &c.admin, "photography", json!({})).await;
    crate::helpers::consents::signed_consent(
        &c.app,
        &author.token,
        &other,
        photography["id"].as_str().unwrap(),
    )
    .await;
    let r = crate::helpers::photos::upload(
        &c.app,
        &author.token,
        &other,
        &crate::helpers::photos::form_at(
            crate::helpers::photos::jpeg(64, 48),
            Utc::now(),
            "before",
            "frontal",
        ),
    )
    .await;
    assert_eq!(r.status(), 201, "their photo");
    let marketing =
        crate::helpers::consents::template(&c.app, &c.admin, "marketing", json!({})).await;
    let r = c
        .app
        .post(
            &author.token,
            &format!("/api/v1/patients/{other}/consents"),
            &json!({"template_id": marketing["id"]}),
        )
        .await;
    assert_eq!(r.status(), 201, "their pending consent");
    let chart_before: Value = c
        .app
        .get(&author.token, &format!("/api/v1/patients/{other}/record"))
        .await
        .json()
        .await
        .unwrap();
    let mut theirs = BTreeSet::new();
    ids_in(&chart_before, &mut theirs);
    theirs.insert(other.clone());
    // Their ids, less the clinic's own (services, practitioners, rooms, templates) that
    // every patient may see.
    let public: Value = c
        .app
        .get(&me.token, "/api/v1/services")
        .await
        .json()
        .await
        .unwrap();
    let mut shared = BTreeSet::new();
    ids_in(&public, &mut shared);
    let practitioners: Value = c
        .app
        .get(&me.token, "/api/v1/practitioners")
        .await
        .json()
        .await
        .unwrap();
    ids_in(&practitioners, &mut shared);
    let locations: Value = c
        .app
        .get(&me.token, "/api/v1/locations")
        .await
        .json()
        .await
        .unwrap();
    ids_in(&locations, &mut shared);
    let staff_user_ids: BTreeSet<String> = [author.user_id.to_string()]
        .into_iter()
        .chain(shared.iter().cloned())
        .collect();
    let theirs: Vec<String> = theirs
        .into_iter()
        .filter(|id| !staff_user_ids.contains(id))
        .filter(|id| {
            // Template and family ids are the clinic's consent forms, not the patient's.
            !chart_before["consents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["template_id"] == id.as_str() || c["family_id"] == id.as_str())
        })
        .collect();
    assert!(theirs.len() >= 8, "a rich chart to probe: {theirs:?}");

    let random = uuid::Uuid::now_v7().to_string();
    let mut not_found = 0;
    let mut failures = Vec::new();
    let routes = documented_routes();
    assert!(routes.len() > 80, "the whole document");
    for (method, pattern) in &routes {
        // Signing out would end the session the rest of the test uses.
        if pattern.ends_with("/auth/logout") {
            continue;
        }
        let access = match policy::lookup(method, pattern) {
            Lookup::Found(a) => a,
            _ => Access::OtherMethod,
        };
        let send = |path: String, body: Value| {
            let m: reqwest::Method = method.parse().unwrap();
            c.app
                .client
                .request(m, c.app.url(&path))
                .bearer_auth(&me.token)
                .json(&body)
                .send()
        };
        if pattern.contains("{id}") {
            // Bodies are checked before ids are looked up; try bodies that pass, so the
            // lookup itself is what answers. The same body goes with each id.
            let bodies = if method == "POST" {
                vec![
                    json!({}),
                    json!({"reason": "probing"}),
                    json!({"signer_name": "Probe", "signature_png_base64": crate::helpers::consents::signature_png()}),
                ]
            } else {
                vec![json!({})]
            };
            let mut reached_lookup = false;
            for body in bodies {
                let baseline = send(pattern.replace("{id}", &random), body.clone())
                    .await
                    .unwrap();
                let base_status = baseline.status().as_u16();
                let base_body = baseline.text().await.unwrap();
                // A public route (the calendar feed) answers without looking at the
                // session: its 404s are no patient's refused access.
                let audited = access != Access::Public;
                if base_status == 404 {
                    not_found += usize::from(audited);
                    reached_lookup = true;
                }
                for id in &theirs {
                    let r = send(pattern.replace("{id}", id), body.clone())
                        .await
                        .unwrap();
                    let status = r.status().as_u16();
                    let text = r.text().await.unwrap();
                    if status == 404 {
                        not_found += usize::from(audited);
                    }
                    if status != base_status || text != base_body {
                        failures.push(format!(
                            "{method} {pattern} with their id {id} → {status} {text} (random: {base_status} {base_body})"
                        ));
                    }
                }
            }
            if access != Access::Public && !reached_lookup {
                failures.push(format!(
                    "{method} {pattern}: no body reached the id lookup (no 404)"
                ));
            }
        } else {
            let path = format!(
                "{pattern}?patient_id={other}&from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z"
            );
            let r = send(
                path,
                json!({"patient_id": other, "email": "victim.booker@example.org"}),
            )
            .await
            .unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            if status == 404 {
                not_found += 1;
            }
            if let Some(id) = theirs.iter().find(|id| body.contains(id.as_str())) {
                failures.push(format!(
                    "{method} {pattern}?patient_id=… → {status} shows their id {id}: {body}"
                ));
            }
            if body.contains("Victim") {
                failures.push(format!(
                    "{method} {pattern}?patient_id=… → {status} shows their name"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "isolation broken:\n{}",
        failures.join("\n")
    );

    // Every 404 the patient met was audited as a refused access.
    let denied = c
        .app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.action == "access_denied" && r.actor_id == Some(me.user_id))
        .count();
    assert_eq!(denied, not_found, "one access_denied row per 404");
    assert!(not_found > 100);

    // And nothing of theirs changed.
    let chart_after: Value = c
        .app
        .get(&author.token, &format!("/api/v1/patients/{other}/record"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chart_before, chart_after);
}
