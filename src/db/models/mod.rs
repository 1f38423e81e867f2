//! Rows and queries: the only place that speaks SQL.
pub mod adverse;
pub mod appointments;
pub mod audit;
pub mod calendar;
pub mod clinic;
pub mod consents;
pub mod entered_in_error;
pub mod measurements;
pub mod notes;
pub mod outbox;
pub mod password_tokens;
pub mod patients;
pub mod reminders;
pub mod samples;
pub mod sessions;
pub mod throttle;
pub mod users;
