//! Black-box HTTP tests: the real app, a real database per test.
//!
//! Layout: one file per resource, mirroring `src/routes/` (`patients.rs`, `appointments.rs`,
//! `consultations.rs`, `procedures.rs`, `samples.rs`, `adverse_events.rs`, `measurements.rs`,
//! `consents.rs`, `photos.rs`, `me.rs`, `users.rs`, …). Suites about the system as a whole
//! rather than one route (`audit`, `isolation`, `policy`, `logs`, `crash`, `two_servers`,
//! `write_path`, `database`, `openapi`, `errors`, `ui`, `backup`, `retention`, `cli`) sit
//! beside them, flat, so their names stay usable as test filters. Fixtures more than one file
//! uses live in `helpers/` (`helpers/clinic.rs`: the clinic most tests start from;
//! `helpers/clinical.rs`, `helpers/consents.rs`, `helpers/mail.rs`, `helpers/photos.rs`).
//! Each test is named as the behaviour it holds.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on a broken fixture or answer"
)]
mod accounts;
mod adverse_events;
mod appointments;
mod audit;
mod auth;
mod backup;
mod calendar;
mod cli;
mod consents;
mod consultations;
mod crash;
mod database;
mod errors;
mod export;
mod health;
mod helpers;
mod import;
mod isolation;
mod logs;
mod me;
mod measurements;
mod mixed_load;
mod openapi;
mod patients;
mod photos;
mod policy;
mod procedures;
mod reminders;
mod retention;
mod samples;
mod two_servers;
mod ui;
mod users;
mod write_path;
