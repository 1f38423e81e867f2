//! Rows and queries: the only place that speaks SQL.
pub mod adverse;
pub mod appointments;
pub mod audit;
pub mod calendar;
pub mod clinic;
pub mod consents;
pub mod measurements;
pub mod notes;
pub mod patients;
pub mod photos;
pub mod reminders;
pub mod samples;
pub mod sessions;
pub mod throttle;
pub mod users;
