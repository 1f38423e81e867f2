//! The clinic's rules as plain Rust: no actix, no diesel.
pub mod adverse;
pub mod clinical;
pub mod consent;
pub mod mrn;
pub mod outcomes;
pub mod password;
pub mod patient;
pub mod patient_import;
pub mod photo;
pub mod role;
pub mod schedule;

use serde::Serialize;
use utoipa::ToSchema;

/// A field-level validation message (a 422 lists these).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// The line of an imported file the error is on (CSV import only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            line: None,
        }
    }

    /// The same error, placed on a line of an imported file.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }
}

/// An imported row that looks like a patient already on file (same name and date of
/// birth), or like an earlier row of the same file: reported, never merged.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct LikelyDuplicate {
    pub line: u64,
    /// The patient on file it matches (absent when it matches an earlier line).
    pub patient_id: Option<uuid::Uuid>,
    /// The earlier line of the same file it matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as_line: Option<u64>,
}
