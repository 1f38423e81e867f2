//! `POST/DELETE /practitioners/{id}/calendar-token`.
pub mod issue;
pub mod revoke;
