//! `/me/photos`: the patient's own photos. The patient id comes from the session,
//! never from the request; another patient's photo id answers like an unknown one.
pub mod get;
pub mod list;

// `get` streams through `super::serve`, shared with the staff byte routes.
use super::serve;
