//! The clinic's rules as plain Rust: no actix, no diesel.
pub mod clinical;
pub mod consent;
pub mod mrn;
pub mod outcomes;
pub mod password;
pub mod patient;
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
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
