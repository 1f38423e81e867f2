//! `/me/photos`: the patient's own photos. The patient id comes from the session,
//! never from the request; another patient's photo id answers like an unknown one.
pub mod get;
pub mod list;

use serde::Deserialize;

// `get` streams through `super::serve`, shared with the staff byte routes.
use super::serve;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MyPhotosQuery {
    /// Page size: default 50, larger values are clamped to 200.
    #[serde(default, deserialize_with = "crate::api::pagination::lenient_limit")]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    #[serde(default, deserialize_with = "crate::api::pagination::optional_cursor")]
    pub cursor: Option<String>,
}
