//! Black-box HTTP tests: the real app, a real database per test. Files mirror the routes.
#![allow(clippy::unwrap_used)]
mod accounts;
mod audit;
mod auth;
mod calendar;
mod cli;
mod clinical;
mod consents;
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
mod scheduling;
mod users;
