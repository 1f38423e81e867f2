//! Rows and queries: the only place that speaks SQL.
pub mod audit;
pub mod patients;
pub mod sessions;
pub mod throttle;
pub mod users;
