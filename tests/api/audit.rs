//! `/audit`: every patient read and write is recorded, the chain is verifiable,
//! tampering is named, and concurrent writers keep one unbroken chain.
use serde_json::Value;

use dermachart::domain::role::Role;

use crate::helpers::{assert_problem, backend, spawn_app, spawn_app_with, TestApp};

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

/// An attacker with database rights: lifts the append-only guard.
async fn lift_the_guard(app: &TestApp) {
    let sql = match backend() {
        dermachart::db::Backend::Postgres => {
            "ALTER TABLE audit_log DISABLE TRIGGER USER; \
             ALTER TABLE audit_mac_start DISABLE TRIGGER USER;"
        }
        dermachart::db::Backend::Sqlite => {
            "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; \
             DROP TRIGGER IF EXISTS audit_mac_start_no_update;"
        }
    };
    app.sql(sql).await.unwrap();
}

/// The chain's old plain hash, which anyone can recompute: SHA-256 over the fields.
fn plain_hash(row: &dermachart::db::models::audit::AuditRow) -> String {
    use sha2::{Digest, Sha256};
    let opt = |v: Option<String>| v.unwrap_or_else(|| "\u{2205}".to_owned());
    let fields = [
        row.prev_hash.clone(),
        row.seq.to_string(),
        row.id.to_string(),
        row.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        opt(row.actor_id.map(|a| a.to_string())),
        opt(row.actor_role.clone()),
        row.action.clone(),
        row.entity_type.clone(),
        opt(row.entity_id.clone()),
        opt(row.patient_id.map(|p| p.to_string())),
        opt(row.ip.clone()),
        opt(row.request_id.clone()),
    ];
    let mut h = Sha256::new();
    for field in fields {
        h.update(field.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Rewrites the table: `change` edits the rows, then every row from index `from` on
/// is renumbered and its link and hash recomputed without the key, so the chain is
/// internally consistent again (rows before `from` keep their original hashes).
async fn rewrite_history(
    app: &TestApp,
    from: usize,
    change: impl FnOnce(&mut Vec<dermachart::db::models::audit::AuditRow>) + Send + 'static,
) {
    lift_the_guard(app).await;
    app.with_db(move |conn| {
        use dermachart::db::schema::audit_log;
        use diesel::prelude::*;
        let mut rows = dermachart::db::models::audit::chunk_after(conn, 0, 1_000_000).unwrap();
        change(&mut rows);
        let mut prev = match from {
            0 => dermachart::audit::GENESIS_HASH.to_owned(),
            n => rows[n - 1].hash.clone(),
        };
        for (i, row) in rows.iter_mut().enumerate().skip(from) {
            row.seq = i64::try_from(i).unwrap() + 1;
            row.prev_hash = prev.clone();
            row.hash = plain_hash(row);
            prev = row.hash.clone();
        }
        diesel::delete(audit_log::table).execute(conn).unwrap();
        for row in &rows {
            dermachart::db::models::audit::insert(conn, row).unwrap();
        }
    })
    .await;
}

/// An app with some history: logins and three patients.
async fn app_with_history() -> (TestApp, String) {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await;
    let s = app.sign_in(Role::Practitioner).await;
    for i in 0..3 {
        app.create_patient(&s.token, &format!("Chain{i}"), "Link")
            .await;
    }
    let report = verify(&app, &admin.token).await;
    assert_eq!(report["ok"], true, "{report}");
    (app, admin.token)
}

async fn verify(app: &TestApp, token: &str) -> Value {
    let response = app.get(token, "/api/v1/audit/verify").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_edit_rehashed_without_the_key_is_caught_at_the_edited_row() {
    let (app, admin) = app_with_history().await;
    let victim = app.audit_rows().await[2].clone();
    rewrite_history(&app, 2, |rows| rows[2].action = "read".into()).await;
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_broken_seq"], victim.seq);
    assert_eq!(report["first_broken_id"], victim.id.to_string());
}

#[tokio::test]
async fn a_row_deleted_from_the_middle_and_the_rest_renumbered_is_caught() {
    let (app, admin) = app_with_history().await;
    let after = app.audit_rows().await[3].clone();
    rewrite_history(&app, 2, |rows| {
        rows.remove(2);
    })
    .await;
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_broken_seq"], 3);
    assert_eq!(report["first_broken_id"], after.id.to_string());
}

#[tokio::test]
async fn two_rows_swapped_and_rehashed_are_caught() {
    let (app, admin) = app_with_history().await;
    let moved = app.audit_rows().await[3].clone();
    rewrite_history(&app, 2, |rows| rows.swap(2, 3)).await;
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_broken_seq"], 3);
    assert_eq!(report["first_broken_id"], moved.id.to_string());
}

#[tokio::test]
async fn rows_cut_from_the_end_are_caught_by_the_anchor_outside_the_database() {
    let (app, admin) = app_with_history().await;
    let seal = app.state.audit.seal();
    let anchor = app
        .with_db(move |conn| seal.anchor(conn).unwrap().expect("a new anchor"))
        .await;
    let rows = app.audit_rows().await;
    assert_eq!(anchor.seq, rows.last().unwrap().seq);
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["truncated"], false);
    assert_eq!(report["anchor"]["seq"], anchor.seq);

    // The newest three rows go; what is left is a perfectly linked chain.
    lift_the_guard(&app).await;
    app.sql(&format!(
        "DELETE FROM audit_log WHERE seq > {}",
        anchor.seq - 3
    ))
    .await
    .unwrap();
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["truncated"], true);
    assert_eq!(report["first_broken_id"], Value::Null);
    assert_eq!(report["anchor"]["seq"], anchor.seq);
    assert!(report["anchor"]["at"].is_string());

    // New rows written over the gap do not hide it: the anchored row's hash differs.
    for _ in 0..4 {
        app.sign_in(Role::Practitioner).await;
    }
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_broken_seq"], anchor.seq);
}

#[tokio::test]
async fn lowering_the_mac_boundary_in_the_database_does_not_let_plain_hashes_pass() {
    let (app, admin) = app_with_history().await;
    lift_the_guard(&app).await;
    app.sql("UPDATE audit_mac_start SET seq = 1000000")
        .await
        .unwrap();
    let victim = app.audit_rows().await[2].clone();
    rewrite_history(&app, 2, |rows| rows[2].action = "read".into()).await;
    // A restart reads the boundary again; the anchor file's copy wins.
    let seal = dermachart::audit_seal::ChainSeal::open(
        &app.state.settings.audit,
        &mut app.background_pool().get().unwrap(),
    )
    .unwrap();
    assert_eq!(seal.mac_start(), 0);
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], false, "{report}");
    assert!(report["first_broken_seq"].as_i64().unwrap() <= victim.seq);
}

#[tokio::test]
async fn the_key_is_made_once_readable_by_its_owner_only_and_reused() {
    let app = spawn_app().await;
    let key_file = app.state.settings.audit.audit_key_file.clone();
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second server with the same key file (same database) writes rows that verify.
    let url = app.db.url.clone();
    let second = spawn_app_with(move |s| {
        s.database.database_url = url;
        s.audit.audit_key_file = key_file;
    })
    .await;
    assert_eq!(
        std::fs::read_to_string(&second.state.settings.audit.audit_key_file).unwrap(),
        key
    );
    let admin = app.sign_in(Role::Admin).await;
    second.sign_in(Role::Practitioner).await;
    let report = verify(&app, &admin.token).await;
    assert_eq!(report["ok"], true, "{report}");
}

#[tokio::test]
async fn rows_from_before_the_mac_verify_after_the_upgrade_and_new_rows_carry_the_mac() {
    let (app, admin) = app_with_history().await;
    // The table as the previous version left it: plain SHA-256 links, and the
    // boundary the migration records at its head.
    rewrite_history(&app, 0, |_| {}).await;
    app.sql("UPDATE audit_mac_start SET seq = (SELECT MAX(seq) FROM audit_log)")
        .await
        .unwrap();
    let old_head = app.audit_rows().await.last().unwrap().seq;
    // The first start of the new version: a new key, no anchor file yet.
    let url = app.db.url.clone();
    let upgraded = spawn_app_with(move |s| s.database.database_url = url).await;
    assert_eq!(upgraded.state.audit.seal().mac_start(), old_head);
    let report = verify(&upgraded, &admin).await;
    assert_eq!(report["ok"], true, "{report}");
    upgraded.sign_in(Role::Practitioner).await;
    let newest = upgraded.audit_rows().await.last().unwrap().clone();
    assert!(newest.seq > old_head);
    assert_ne!(newest.hash, plain_hash(&newest), "new rows carry the MAC");
    let report = verify(&upgraded, &admin).await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["rows_checked"], newest.seq);
}

#[tokio::test]
async fn the_openapi_document_describes_the_verify_report() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    let report = &schemas["ChainReport"]["properties"];
    for field in [
        "ok",
        "rows_checked",
        "first_broken_id",
        "first_broken_seq",
        "truncated",
        "anchor",
    ] {
        assert!(report.get(field).is_some(), "{field}: {report}");
    }
    let anchor = &schemas["AnchorRef"]["properties"];
    assert!(
        anchor.get("seq").is_some() && anchor.get("at").is_some(),
        "{anchor}"
    );
}

/// On SQLite `seq` is the audit table's rowid (`INTEGER PRIMARY KEY`), so an appended
/// row updates no separate index beside it; the migration that rebuilt the table
/// keeps every row and the chain: undone and redone on a log with history, the rows
/// are the same and the chain verifies.
#[tokio::test]
async fn on_sqlite_the_audit_log_is_keyed_by_its_rowid_and_its_rebuild_keeps_the_chain() {
    use dermachart::db::{Backend, DbConnection};
    use diesel::prelude::*;
    use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
    const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

    if backend() != Backend::Sqlite {
        return;
    }
    /// The audit table's indexes that exist only because of its primary key.
    fn primary_key_indexes(conn: &mut DbConnection) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT count(*) AS n FROM pragma_index_list('audit_log') WHERE origin = 'pk'",
        )
        .get_result::<Count>(conn)
        .unwrap()
        .n
    }
    fn migrate(conn: &mut DbConnection, undo: bool) {
        let DbConnection::Sqlite(c) = conn else {
            unreachable!("SQLite only")
        };
        if undo {
            // The later migrations first (they touch other tables), then the rebuild.
            const ROWID: u64 = 20_261_206_000_011; // 2026-12-06-000011_audit_rowid
            loop {
                let undone: u64 = c
                    .revert_last_migration(SQLITE)
                    .unwrap()
                    .to_string()
                    .parse()
                    .unwrap();
                assert!(undone >= ROWID, "went past the rowid migration");
                if undone == ROWID {
                    break;
                }
            }
        } else {
            c.run_pending_migrations(SQLITE).unwrap();
        }
    }
    let chain = |rows: Vec<dermachart::db::models::audit::AuditRow>| {
        rows.into_iter()
            .map(|r| (r.seq, r.hash))
            .collect::<Vec<_>>()
    };

    let (app, admin) = app_with_history().await;
    assert_eq!(app.with_db(primary_key_indexes).await, 0);
    let before = chain(app.audit_rows().await);

    app.with_db(|conn| migrate(conn, true)).await;
    assert_eq!(
        app.with_db(primary_key_indexes).await,
        1,
        "undone: seq has its own index again"
    );
    assert_eq!(chain(app.audit_rows().await), before);

    app.with_db(|conn| migrate(conn, false)).await;
    assert_eq!(app.with_db(primary_key_indexes).await, 0);
    let after = chain(app.audit_rows().await);
    assert_eq!(
        after[..before.len()],
        before[..],
        "every row kept, in order"
    );
    let report = verify(&app, &admin).await;
    assert_eq!(report["ok"], true, "{report}");
    // And the log still refuses changes.
    let refused = app.sql("UPDATE audit_log SET action = 'read'").await;
    assert!(refused.unwrap_err().to_string().contains("append-only"));
}
