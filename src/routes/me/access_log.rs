//! `GET /me/access-log`.
use actix_web::web;

use crate::api::me::{AccessEntry, AccessLog};
use crate::auth::Me;
use crate::db::models::{audit as audit_rows, users};
use crate::error::ApiResult;
use crate::state::AppState;

/// Who on the staff opened or changed this patient's record, and when (not searches).
#[utoipa::path(get, path = "/api/v1/me/access-log", tag = "me", responses((status = 200, body = AccessLog)))]
pub async fn my_access_log(who: Me, state: web::Data<AppState>) -> ApiResult<web::Json<AccessLog>> {
    let items = who
        .read(&state, "audit", None, move |conn, me| {
            let filter = audit_rows::AuditFilter {
                patient_id: Some(me),
                actions: Some(
                    [
                        "read", "export", "create", "update", "delete", "sign", "amend",
                    ]
                    .iter()
                    .map(|a| (*a).to_owned())
                    .collect(),
                ),
                ..Default::default()
            };
            let mut names = std::collections::HashMap::new();
            let mut items = Vec::new();
            for row in audit_rows::list(conn, &filter, 1000)? {
                let (Some(actor), Some(role)) = (row.actor_id, row.actor_role.clone()) else {
                    continue;
                };
                if role == "patient" {
                    continue;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = names.entry(actor) {
                    e.insert(
                        users::find(conn, actor)
                            .map(|u| u.display_name)
                            .unwrap_or_else(|_| "Clinic staff".into()),
                    );
                }
                items.push(AccessEntry {
                    at: crate::api::instant(row.at),
                    staff_display_name: names[&actor].clone(),
                    staff_role: role,
                    action: row.action,
                });
            }
            Ok(items)
        })
        .await?;
    Ok(web::Json(AccessLog { items }))
}
