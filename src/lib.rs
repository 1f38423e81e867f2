//! DermaChart: the appointment book and treatment record of an aesthetic-medicine clinic.
pub mod api;
pub mod audit;
pub mod audit_seal;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod extract;
pub mod imaging;
pub mod media;
pub mod metrics;
pub mod middleware;
pub mod outbox;
pub mod reminders;
pub mod retention;
pub mod routes;
pub mod security_headers;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;

use anyhow::Context;

use cli::{Cli, Command, UserCommand};

/// Runs one command of the CLI.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { demo, settings } => {
            let settings = *settings;
            if demo {
                let pool = startup::prepare_database(&settings)?;
                let tz = settings.clinic_timezone;
                let media = media::FsMediaStore::new(settings.media_dir.clone());
                let logins =
                    tokio::task::spawn_blocking(move || demo::seed(&pool, &media, tz)).await??;
                println!("{logins}");
            }
            let app = startup::Application::build(settings.clone(), None)?;
            app.run_until_stopped().await?;
            Ok(())
        }
        Command::Openapi => {
            println!("{}", routes::openapi::openapi_pretty()?);
            Ok(())
        }
        Command::Migrate { database } => {
            let settings = config::Settings::with_database_url(&database.database_url);
            startup::prepare_database(&settings)?;
            println!("migrations applied");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    role,
                    email,
                    password_env,
                    name,
                    database,
                },
        } => {
            let password = std::env::var(&password_env)
                .with_context(|| format!("environment variable {password_env} is not set"))?;
            let settings = config::Settings::with_database_url(&database.database_url);
            let pool = startup::prepare_database(&settings)?;
            let id = tokio::task::spawn_blocking(move || {
                demo::create_staff_user(&pool, role, &email, &password, name.as_deref())
            })
            .await??;
            println!("created user {id}");
            Ok(())
        }
        Command::Backup { to, storage } => {
            let summary =
                tokio::task::spawn_blocking(move || backup::backup(&storage, &to)).await??;
            println!("{summary}");
            Ok(())
        }
        Command::Restore {
            from,
            force,
            storage,
        } => {
            let summary =
                tokio::task::spawn_blocking(move || backup::restore(&storage, &from, force))
                    .await??;
            println!("{summary}");
            Ok(())
        }
    }
}
