//! User bodies.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::users::UserRow;
use crate::db::types::{PatientId, UserId};
use crate::domain::role::Role;

/// A user as the API shows it (no hash, no TOTP secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub patient_id: Option<PatientId>,
    pub totp_enabled: bool,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            role: row.role,
            email: row.email,
            display_name: row.display_name,
            active: row.active,
            patient_id: row.patient_id,
            totp_enabled: row.totp_confirmed,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    pub patient_id: Option<PatientId>,
}

/// JSON Merge Patch of a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<Role>)]
    pub role: Option<Option<Role>>,
    #[serde(default, deserialize_with = "super::merge_patch_field")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<Option<bool>>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserListQuery {
    /// Page size: default 50, larger values are clamped to 200.
    #[serde(default, deserialize_with = "crate::api::pagination::lenient_limit")]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    #[serde(default, deserialize_with = "crate::api::pagination::optional_cursor")]
    pub cursor: Option<String>,
}
