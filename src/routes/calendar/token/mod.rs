//! `POST/DELETE /practitioners/{id}/calendar-token`.
pub mod issue;
pub mod revoke;

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarToken {
    pub token: String,
    /// The feed URL to paste into a calendar app.
    pub url: String,
}
