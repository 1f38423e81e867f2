//! Adverse events: recorded by practitioners; serious ones carry the regulator's
//! 15-day reporting deadline until marked reported.
pub mod create;
pub mod list;
pub mod mark_reported;
pub mod of_patient;
pub mod update;
