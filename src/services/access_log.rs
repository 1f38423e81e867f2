//! Who on the staff opened or changed the patient's record, and when (not searches):
//! the patient's own view of the audit trail, staff shown by name.
use crate::api::me::AccessEntry;
use crate::auth::Me;
use crate::db::models::{audit as audit_rows, users};
use crate::error::ApiError;
use crate::state::AppState;

/// The patient's access log, newest first (audited as their own read).
pub async fn mine(state: &AppState, who: &Me) -> Result<Vec<AccessEntry>, ApiError> {
    who.read(state, "audit", None, move |conn, me| {
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
    .await
}
