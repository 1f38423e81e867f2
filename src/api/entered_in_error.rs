//! Entered-in-error marks: the request and the answer.
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::types::PatientId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkEnteredInError {
    pub reason: String,
}

/// The mark as answered: which item, whose, why, by whom and when.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct EnteredInError {
    pub entity_type: &'static str,
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub patient_id: PatientId,
    /// Always `entered_in_error`.
    pub status: &'static str,
    pub reason: String,
    pub marked_by: crate::db::types::UserId,
    pub marked_at: chrono::DateTime<chrono::Utc>,
}
