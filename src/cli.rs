//! The command line: `serve`, `migrate`, `openapi`, `user create`.
use clap::{Parser, Subcommand};

use crate::config::{DatabaseSettings, Settings};
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
