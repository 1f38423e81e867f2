//! Calendar feed bodies: the feed's query and the token that names it.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FeedQuery {
    /// The feed's secret; without it the answer is the same 404 as with a wrong one.
    pub token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarToken {
    pub token: String,
    /// The feed URL to paste into a calendar app.
    pub url: String,
}
