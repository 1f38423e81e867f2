//! Black-box HTTP tests: the real app, a real database per test. Files mirror the routes.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on a broken fixture or answer"
)]
mod accounts;
mod audit;
mod auth;
mod backup;
mod calendar;
mod cli;
mod clinical;
mod consents;
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
mod openapi;
mod patients;
mod photos;
mod policy;
mod reminders;
mod retention;
mod scheduling;
mod two_servers;
mod ui;
mod users;
mod write_path;
