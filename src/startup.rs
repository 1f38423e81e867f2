//! Builds the application: the same code serves the binary and the tests.
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer, ResponseError};
use tracing_actix_web::TracingLogger;

use crate::audit::AuditLog;
use crate::auth::guard::guard;
use crate::auth::password::PasswordHasher;
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::imaging::ImageWorkers;
use crate::media::FsMediaStore;
use crate::metrics::Metrics;
use crate::middleware::{catch_panic, problem_json, security_headers};
use crate::routes;
use crate::routes::ui::{fallback, serve_ui, UiFiles};
use crate::state::AppState;
use crate::telemetry::PhiFreeSpan;

/// Extra routes a caller mounts beside the real ones (tests use it to add a panicking route).
pub type ExtraRoutes = fn(&mut web::ServiceConfig);

pub struct Application {
    port: u16,
    server: Server,
    pub state: AppState,
}

/// Opens the pool and applies migrations.
pub fn prepare_database(settings: &Settings) -> anyhow::Result<DbPool> {
    let pool = db::build_pool(
        &settings.database.database_url,
        &settings.database.pool_settings(),
    )?;
    let mut conn = pool.get()?;
    db::run_migrations(&mut conn)?;
    Ok(pool)
}

impl Application {
    pub fn build(
        mut settings: Settings,
        extra: Option<ExtraRoutes>,
    ) -> anyhow::Result<Application> {
        let background = prepare_database(&settings)?;
        let backend = db::Backend::of_url(&settings.database.database_url)?;
        // On SQLite every write of a request goes to the one writer, so the requests'
        // pool is read-only; the background jobs keep writable connections of their own.
        let pool = match backend {
            db::Backend::Sqlite => db::build_pool(
                &settings.database.database_url,
                &db::PoolSettings {
                    read_only: true,
                    ..settings.database.pool_settings()
                },
            )?,
            db::Backend::Postgres => background.clone(),
        };
        let listener = TcpListener::bind(&settings.bind)?;
        let port = listener.local_addr()?.port();
        settings.derive_public_url(listener.local_addr()?);
        // Operators (and the tests, which bind port 0) learn the port from this line.
        tracing::info!("listening on {}", listener.local_addr()?);
        let state = AppState {
            audit: AuditLog::start(background.clone(), &settings.audit, &settings.database)?,
            hasher: PasswordHasher::new(settings.hash_concurrency)?,
            metrics: Metrics::new()?,
            media: Arc::new(FsMediaStore::new(settings.media_dir.clone())),
            images: ImageWorkers::new(settings.image_concurrency),
            touches: Default::default(),
            backend,
            pool,
            background,
            settings: Arc::new(settings),
        };
        let ui_dir =
            Some(state.settings.frontend_dir.clone()).filter(|d| d.join("index.html").is_file());
        if ui_dir.is_none() {
            tracing::warn!(
                frontend_dir = %state.settings.frontend_dir.display(),
                "the web UI is not built, so only the API is served; build it with \
                 `npm ci && npm run build` in frontend/ (./scripts/start does this)"
            );
        }
        let ui = UiFiles::new(ui_dir.clone());
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            let mut app = App::new()
                .app_data(data.clone())
                .app_data(web::Data::new(ui.clone()))
                .app_data(web::QueryConfig::default().error_handler(|err, _| {
                    ApiError::BadRequest(format!(
                        "The query string is not valid: {}",
                        query_hint(&err)
                    ))
                    .into()
                }))
                .app_data(
                    web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()),
                )
                .wrap(from_fn(guard))
                .wrap(from_fn(catch_panic))
                .wrap(from_fn(crate::middleware::track_metrics))
                .wrap(from_fn(problem_json))
                .wrap(from_fn(security_headers))
                .wrap(TracingLogger::<PhiFreeSpan>::new())
                .route("/healthz", web::get().to(routes::health::healthz))
                .route("/readyz", web::get().to(routes::health::readyz))
                .route("/metrics", web::get().to(routes::health::metrics))
                .configure(routes::configure);
            if let Some(extra) = extra {
                app = app.configure(extra);
            }
            if let Some(dir) = &ui_dir {
                app = app.configure(|cfg| serve_ui(cfg, dir));
            }
            app.default_service(web::to(fallback))
        })
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server (tests stop theirs when they end).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped, with the reminder worker alongside when SMTP is configured.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = crate::reminders::start(self.state.background.clone(), &self.state.settings)
            .map_err(std::io::Error::other)?;
        let anchoring = self.state.audit.start_anchoring(
            self.state.background.clone(),
            std::time::Duration::from_millis(self.state.settings.audit.audit_anchor_interval_ms),
        );
        let retention = crate::retention::start(
            self.state.background.clone(),
            std::time::Duration::from_millis(self.state.settings.retention_interval_ms),
            self.state.settings.session_idle(),
        );
        let result = self.server.await;
        if let Some(worker) = worker {
            worker.abort();
        }
        retention.abort();
        anchoring.abort();
        self.state.audit.anchor_now(&self.state.background).await;
        result
    }
}

/// Names the parameter serde rejected, without echoing the value.
fn query_hint(err: &actix_web::error::QueryPayloadError) -> String {
    let text = err.to_string();
    let _ = ApiError::NotFound.status_code();
    text.split(':')
        .nth(1)
        .map(str::trim)
        .unwrap_or("malformed")
        .chars()
        .take(120)
        .collect()
}
