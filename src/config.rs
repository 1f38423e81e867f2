//! Typed settings, read from flags and environment variables and passed down explicitly (never global).
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use ipnet::IpNet;

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` (default) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://./data/dermachart.db"
    )]
    pub database_url: String,
    /// Most connections the pool keeps open.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,
    /// How long a request waits for a connection before answering 503 (milliseconds).
    #[arg(long, env = "DB_TIMEOUT_MS", default_value_t = 2000)]
    pub db_timeout_ms: u64,
    /// SQLite: how long a writer waits for the write lock (milliseconds).
    #[arg(long, env = "SQLITE_BUSY_TIMEOUT_MS", default_value_t = 5000)]
    pub sqlite_busy_timeout_ms: u64,
}

impl DatabaseSettings {
    pub fn pool_settings(&self) -> crate::db::PoolSettings {
        crate::db::PoolSettings {
            max_size: self.db_pool_size.max(1),
            connection_timeout: Duration::from_millis(self.db_timeout_ms.max(100)),
            busy_timeout: Duration::from_millis(self.sqlite_busy_timeout_ms),
            read_only: false,
        }
    }
}

/// Where the audit chain's key and anchors live: outside the database, so that
/// someone who can write to the database cannot rewrite the chain unnoticed.
#[derive(Debug, Clone, Args)]
pub struct AuditSettings {
    /// The audit MAC key (32 random bytes, hex), created with mode 0600 on first start.
    /// Back it up with the database; every app server needs the same key.
    #[arg(long, env = "AUDIT_KEY_FILE", default_value = "./data/audit.key")]
    pub audit_key_file: PathBuf,
    /// The append-only file of audit anchors (chain head `seq` and hash); default
    /// `audit.anchors` beside the key.
    #[arg(long, env = "AUDIT_ANCHOR_FILE")]
    pub audit_anchor_file: Option<PathBuf>,
    /// How often the chain head is anchored, when it moved (milliseconds).
    #[arg(long, env = "AUDIT_ANCHOR_INTERVAL_MS", default_value_t = 60_000)]
    pub audit_anchor_interval_ms: u64,
}

impl AuditSettings {
    pub fn anchor_file(&self) -> PathBuf {
        self.audit_anchor_file
            .clone()
            .unwrap_or_else(|| self.audit_key_file.with_file_name("audit.anchors"))
    }
}

/// What `backup` and `restore` touch: the database, the media folder, the audit key and anchors.
#[derive(Debug, Clone, Args)]
pub struct StorageSettings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    #[command(flatten)]
    pub audit: AuditSettings,
    /// Folder for photos and other media.
    #[arg(long, env = "MEDIA_DIR", default_value = "./data/media")]
    pub media_dir: PathBuf,
}

/// Everything `serve` needs.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    #[command(flatten)]
    pub audit: AuditSettings,
    /// How often expired sessions, old login failures, idempotency keys and spent
    /// password links are deleted (milliseconds).
    #[arg(long, env = "RETENTION_INTERVAL_MS", default_value_t = 3_600_000)]
    pub retention_interval_ms: u64,
    /// Address to listen on.
    #[arg(long = "bind", env = "BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Folder for photos and other media.
    #[arg(long, env = "MEDIA_DIR", default_value = "./data/media")]
    pub media_dir: PathBuf,
    /// Photos decoded at once; more wait (bounded memory under an upload burst).
    #[arg(long, env = "IMAGE_CONCURRENCY", default_value_t = 2)]
    pub image_concurrency: usize,
    /// Longest a JSON body may take to arrive (seconds; 408 past it). Photo and
    /// CSV uploads have their own, longer limit (`UPLOAD_TIMEOUT_SECS`).
    #[arg(long, env = "BODY_TIMEOUT_SECS", default_value_t = 15)]
    pub body_timeout_secs: u64,
    /// Longest a photo or CSV upload may take to arrive (seconds; 408 past it).
    #[arg(long, env = "UPLOAD_TIMEOUT_SECS", default_value_t = 600)]
    pub upload_timeout_secs: u64,
    /// Largest CSV file `POST /patients/import` accepts (bytes; 413 past it).
    #[arg(long, env = "IMPORT_MAX_BYTES", default_value_t = 50 * 1024 * 1024)]
    pub import_max_bytes: usize,
    /// Folder of the built web UI, served when it exists.
    #[arg(long, env = "FRONTEND_DIR", default_value = "./frontend/dist")]
    pub frontend_dir: PathBuf,
    /// The clinic's IANA time zone; governs working hours and "a day".
    #[arg(long, env = "CLINIC_TIMEZONE", default_value = "Europe/London")]
    pub clinic_timezone: chrono_tz::Tz,
    /// A session ends after this many minutes without use.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// A session ends this many minutes after login, used or not.
    #[arg(long, env = "SESSION_ABSOLUTE_MINUTES", default_value_t = 720)]
    pub session_absolute_minutes: i64,
    /// Failed logins allowed per (email, peer) in 15 minutes.
    #[arg(long, env = "LOGIN_LIMIT_PAIR", default_value_t = 5)]
    pub login_limit_pair: i64,
    /// Failed logins allowed per email in an hour.
    #[arg(long, env = "LOGIN_LIMIT_EMAIL", default_value_t = 50)]
    pub login_limit_email: i64,
    /// Failed logins allowed per peer in a minute.
    #[arg(long, env = "LOGIN_LIMIT_PEER", default_value_t = 20)]
    pub login_limit_peer: i64,
    /// Password hashes computed at once; more wait (bounded CPU under a login flood).
    #[arg(long, env = "HASH_CONCURRENCY", default_value_t = 2)]
    pub hash_concurrency: usize,
    /// Proxies whose `X-Forwarded-For` is believed (comma-separated CIDRs).
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpNet>,
    /// Peers allowed to read /metrics without a token (comma-separated CIDRs).
    #[arg(
        long,
        env = "METRICS_ALLOW",
        value_delimiter = ',',
        default_value = "127.0.0.0/8,::1/128"
    )]
    pub metrics_allow: Vec<IpNet>,
    /// A bearer token that also opens /metrics.
    #[arg(long, env = "METRICS_TOKEN")]
    pub metrics_token: Option<String>,
    /// How long before an appointment its reminder is sent (minutes).
    #[arg(long, env = "REMINDER_LEAD_MINUTES", default_value_t = 1440)]
    pub reminder_lead_minutes: i64,
    /// SMTP server for reminders, e.g. `smtp://mail.example:25`; reminders wait in the outbox without it.
    #[arg(long, env = "SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The sender of reminder emails.
    #[arg(
        long,
        env = "SMTP_FROM",
        default_value = "DermaChart <no-reply@dermachart.invalid>"
    )]
    pub smtp_from: String,
    /// How often the reminder worker looks for due reminders (milliseconds).
    #[arg(long, env = "REMINDER_POLL_MS", default_value_t = 30_000)]
    pub reminder_poll_ms: u64,
    /// The public base URL, e.g. `https://clinic.example`: the links in emails and
    /// calendar feeds, and the only origin allowed to write with a cookie session.
    /// Unset: `http://` and the address bound (fine on one machine, not behind a proxy).
    #[arg(long, env = "PUBLIC_URL", default_value = "")]
    pub public_url: String,
    /// Patients may self-book no sooner than this many minutes ahead.
    #[arg(long, env = "PORTAL_MIN_LEAD", default_value_t = 120)]
    pub portal_min_lead_minutes: i64,
    /// Most open future appointments a patient may hold.
    #[arg(long, env = "PORTAL_MAX_OPEN", default_value_t = 3)]
    pub portal_max_open: usize,
    /// How long a harvested cell sample stays usable (hours).
    #[arg(long, env = "SAMPLE_VIABILITY_HOURS", default_value_t = 24)]
    pub sample_viability_hours: i64,
    /// Set when served over TLS (adds HSTS; cookies are always `Secure`).
    #[arg(long, env = "BEHIND_TLS", default_value_t = false)]
    pub behind_tls: bool,
}

impl Settings {
    /// Defaults with another database, for tests and tools.
    pub fn with_database_url(database_url: &str) -> Settings {
        use clap::Parser;
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            settings: Settings,
        }
        let mut settings = Wrapper::parse_from(["dermachart"]).settings;
        settings.database.database_url = database_url.to_owned();
        settings
    }

    pub fn session_idle(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.session_idle_minutes.max(1))
    }

    pub fn session_absolute(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.session_absolute_minutes.max(1))
    }

    pub fn reminder_lead(&self) -> chrono::Duration {
        chrono::Duration::minutes(self.reminder_lead_minutes.max(0))
    }

    /// `PUBLIC_URL`, or when it is unset, `http://` and the address actually bound
    /// (a wildcard address becomes loopback).
    pub fn derive_public_url(&mut self, bound: std::net::SocketAddr) {
        if self.public_url.trim().is_empty() {
            let ip = match bound.ip() {
                ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::from([127, 0, 0, 1]),
                ip if ip.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
                ip => ip,
            };
            self.public_url = format!("http://{}", std::net::SocketAddr::new(ip, bound.port()));
        }
    }

    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }
}
