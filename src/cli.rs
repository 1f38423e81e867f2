//! The command line: `serve`, `migrate`, `openapi`, `user create`, `backup`, `restore`.
use clap::{Parser, Subcommand};

use std::path::PathBuf;

use crate::config::{DatabaseSettings, Settings, StorageSettings};
use crate::domain::role::Role;

#[derive(Debug, Parser)]
#[command(
    name = "dermachart",
    version,
    about = "DermaChart: the clinic's appointment book and treatment record"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (and the web UI when built), applying migrations first.
    Serve {
        /// Seed a demo clinic into an empty database and print its one-time logins.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// Apply pending migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseSettings,
    },
    /// Print the API's OpenAPI document (the web UI generates its types from it).
    Openapi,
    /// Manage users without the API.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write one archive holding a consistent copy of the database (taken while the
    /// server runs), the media folder and the audit key and anchors.
    Backup {
        /// The archive to write (a tar file); it appears only when complete.
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        storage: StorageSettings,
    },
    /// Restore an archive made by `backup` into an empty database and media folder
    /// (with the audit key and anchors), then apply pending migrations.
    Restore {
        /// The archive to read.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database, media folder and audit key.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        storage: StorageSettings,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff user (e.g. the first admin); the database is created and migrated when needed.
    Create {
        #[arg(long)]
        role: Role,
        #[arg(long)]
        email: String,
        /// The environment variable that holds the password (never pass it on the command line).
        #[arg(long)]
        password_env: String,
        /// Display name (default: the email's local part).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        database: DatabaseSettings,
    },
}
