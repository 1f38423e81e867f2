//! `/audit`: every patient read and write is recorded, the chain is verifiable,
//! tampering is named, and concurrent writers keep one unbroken chain.
use serde_json::Value;

use dermachart::domain::role::Role;

use crate::helpers::{assert_problem, backend, spawn_app};

#[tokio::test]
async fn reads_searches_and_writes_of_a_patient_are_audited_with_who_where_and_which_request() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Practitioner).await;
    let p = app.create_patient(&s.token, "Audited", "Person").await;
    let id = p["id"].as_str().unwrap().to_owned();
    app.get(&s.token, &format!("/api/v1/patients/{id}")).await;
    app.get(&s.token, "/api/v1/patients?q=audited").await;
    app.patch(
        &s.token,
        &format!("/api/v1/patients/{id}"),
        &serde_json::json!({"address": "x"}),
    )
    .await;
    let rows: Vec<_> = app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.patient_id.map(|p| p.to_string()) == Some(id.clone()))
        .collect();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, vec!["create", "read", "search", "update"]);
    for r in &rows {
        assert_eq!(r.actor_id, Some(s.user_id));
        assert_eq!(r.actor_role.as_deref(), Some("practitioner"));
        assert_eq!(r.ip.as_deref(), Some("127.0.0.1"));
        assert!(r.request_id.as_deref().is_some_and(|id| !id.is_empty()));
    }
}

#[tokio::test]
async fn the_audit_log_holds_no_patient_values() {
    let app = spawn_app().await;
    let s = app.sign_in(Role::Practitioner).await;
    let canary = "Zebedee-Canary";
    let p = app.create_patient(&s.token, canary, "Quixotic").await;
    app.get(
        &s.token,
        &format!("/api/v1/patients/{}", p["id"].as_str().unwrap()),
    )
    .await;
    app.get(&s.token, &format!("/api/v1/patients?q={canary}"))
        .await;
    for row in app.audit_rows().await {
        let text = format!("{row:?}").to_lowercase();
        assert!(
            !text.contains("zebedee") && !text.contains("quixotic"),
            "{text}"
        );
        assert!(!text.contains("1980-05-17"));
    }
}

#[tokio::test]
async fn an_admin_filters_the_log_by_patient_and_actor_newest_first() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let s = app.sign_in(Role::Practitioner).await;
    let a = app.create_patient(&s.token, "Filter", "One").await;
    app.create_patient(&s.token, "Filter", "Two").await;
    let aid = a["id"].as_str().unwrap();
    app.get(&s.token, &format!("/api/v1/patients/{aid}")).await;
    let page: Value = app
        .get(
            &admin.token,
            &format!("/api/v1/audit?patient_id={aid}&actor_id={}", s.user_id),
        )
        .await
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["read", "create"]);
    for key in [
        "at",
        "actor_id",
        "actor_role",
        "action",
        "entity_type",
        "entity_id",
        "patient_id",
        "ip",
        "request_id",
    ] {
        assert!(items[0].get(key).is_some(), "{key}");
    }
    assert_problem(app.get(&s.token, "/api/v1/audit").await, 403).await;
}

#[tokio::test]
async fn refused_access_is_audited() {
    let app = spawn_app().await;
    let fd = app.sign_in(Role::FrontDesk).await;
    assert_problem(app.get(&fd.token, "/api/v1/audit").await, 403).await;
    let rows = app.audit_rows().await;
    let denied = rows
        .iter()
        .find(|r| r.action == "access_denied")
        .expect("an access_denied row");
    assert_eq!(denied.actor_id, Some(fd.user_id));
    assert_eq!(denied.entity_id.as_deref(), Some("GET /api/v1/audit"));
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_rows() {
    let app = spawn_app().await;
    app.sign_in(Role::Admin).await;
    assert!(app
        .sql("UPDATE audit_log SET action = 'read'")
        .await
        .is_err());
    assert!(app.sql("DELETE FROM audit_log").await.is_err());
}

#[tokio::test]
async fn verify_names_the_row_that_was_edited_behind_the_apps_back() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let s = app.sign_in(Role::Practitioner).await;
    for i in 0..3 {
        app.create_patient(&s.token, &format!("Chain{i}"), "Link")
            .await;
    }
    let report: Value = app
        .get(&admin.token, "/api/v1/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["ok"], true);
    let rows = app.audit_rows().await;
    let victim = &rows[2];
    // An attacker with DDL rights disables the guard and rewrites history.
    let tamper = match backend() {
        dermachart::db::Backend::Postgres => format!(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; \
             UPDATE audit_log SET action = 'read' WHERE seq = {}; \
             ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;",
            victim.seq
        ),
        dermachart::db::Backend::Sqlite => format!(
            "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET action = 'read' WHERE seq = {};",
            victim.seq
        ),
    };
    app.sql(&tamper).await.unwrap();
    let report: Value = app
        .get(&admin.token, "/api/v1/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_broken_id"], victim.id.to_string());
    assert_eq!(report["first_broken_seq"], victim.seq);
}

#[tokio::test]
async fn fifty_concurrent_writers_leave_one_unbroken_chain() {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let s = app.sign_in(Role::Practitioner).await;
    let p = app.create_patient(&s.token, "Busy", "Patient").await;
    let path = format!("/api/v1/patients/{}", p["id"].as_str().unwrap());
    let before = app.audit_rows().await.len();
    let requests = (0..50).map(|_| app.get(&s.token, &path));
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let rows = app.audit_rows().await;
    assert_eq!(rows.len(), before + 50, "one row per answered read");
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    assert_eq!(
        seqs,
        (1..=i64::try_from(rows.len()).unwrap()).collect::<Vec<_>>()
    );
    let report: Value = app
        .get(&admin.token, "/api/v1/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["rows_checked"], i64::try_from(rows.len()).unwrap());
}
