//! HTTP benchmark (issue 13): the real release binary on a fresh database, seeded
//! through the API, every operation driven by `wrk`, both ceilings measured in the same
//! run, and a table of req/s, p50/p99, % of the ceiling and non-2xx.
//!
//!   cargo run --release --example bench-http -- --backend sqlite
//!   cargo run --release --example bench-http -- --backend postgres \
//!       [--patients 10000] [--duration 10] [--connections 16]
//!
//! Needs `wrk` (Debian package `wrk`) and `taskset` (util-linux), two CPUs or more: the
//! server runs on `--server-cpu` (0), wrk on `--client-cpu` (1). The server binary is
//! built first (`cargo build --release --bin dermachart`) unless `--server-bin` names one.
//! Any non-2xx answer, socket error, booking conflict (409, or two overlapping
//! appointments found in the database afterwards) or lost write marks the run INVALID
//! (exit status 2). Method and figures: docs/benchmarks.md.
//!
//! `--seeded-large` adds the large-scale history before the API seeds the patients:
//! `--large-patients` (1,000,000) patients and `--large-appointments` (10,000,000) past
//! appointments, bulk-inserted by bench/bulk.rs (the server is stopped meanwhile and
//! restarted on the grown database).
//!
//! Not a test: it asserts no time.
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use anyhow::{anyhow, bail, Context};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use clap::{Parser, ValueEnum};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

mod bulk;
mod pin;

const HTTP_LUA: &str = include_str!("http.lua");
const CEILING_LUA: &str = include_str!("ceiling.lua");
const ADMIN_EMAIL: &str = "admin@bench.example";
const DESK_EMAIL: &str = "desk@bench.example";
const PASSWORD: &str = "benchmark passphrase of the clinic";

/// Working hours of every practitioner (ISO weekdays, clinic time = UTC here).
const WORK_DAYS: [u32; 5] = [1, 2, 3, 4, 5];
const WORK_START: u32 = 8 * 60;
const WORK_END: u32 = 18 * 60;
/// The one service: a 30-minute visit plus a 15-minute buffer (a 45-minute hold).
const VISIT_MINUTES: u32 = 30;
const BUFFER_MINUTES: u32 = 15;
/// Booked starts lie on this grid (at least one hold apart).
const GRID_MINUTES: u32 = 60;
/// The measured week: 8 a day at 09:00..16:00, Monday to Friday.
const WEEK_PER_DAY: u32 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Parser, Debug)]
#[command(about = "HTTP benchmark of the dermachart release binary (issue 13)")]
struct Args {
    #[arg(long, value_enum)]
    backend: Backend,
    /// PostgreSQL server (no database name; connection options after `?` are kept): a
    /// fresh database is created there and dropped after. Loopback by default, so no
    /// TLS (`sslmode=disable`): libpq's default `prefer` would encrypt every query
    /// and row over loopback, which a same-host deployment has no reason to do (pass
    /// `?sslmode=require` to measure with it).
    #[arg(
        long,
        env = "BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432?sslmode=disable"
    )]
    postgres_url: String,
    /// Patients seeded through the API before measuring.
    #[arg(long, default_value_t = 10_000)]
    patients: usize,
    /// Practitioners (the first holds the measured week; the others take the bookings).
    #[arg(long, default_value_t = 8)]
    practitioners: usize,
    /// Seconds measured per operation (wrk -d).
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Seconds of warm-up before each measurement (same load, not counted).
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Connections of the load generator (wrk -c, one thread).
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds of the 4 KiB pwrite+fdatasync loop (the fsync ceiling).
    #[arg(long, default_value_t = 3.0)]
    fsync_seconds: f64,
    #[arg(long, default_value_t = 0)]
    server_cpu: usize,
    #[arg(long, default_value_t = 1)]
    client_cpu: usize,
    /// Pin the local PostgreSQL server's processes to this CPU for the run, then put
    /// them back (default: unpinned, as in issue 13's method; see docs/benchmarks.md).
    #[arg(long)]
    postgres_cpu: Option<usize>,
    /// A dermachart binary to run instead of building target/release/dermachart.
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Where the SQLite database, media, audit key and logs go (default: a new folder
    /// under target/bench-http/; its disk is the one the fsync ceiling measures).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Where the JSON result goes (default: target/bench-http-BACKEND.json).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Keep the work folder and the PostgreSQL database afterwards.
    #[arg(long)]
    keep: bool,
    /// Measure on a large database: after the clinic's set-up through the API, stop the
    /// server, bulk-insert the history below (bench/bulk.rs), start the server again, then
    /// seed `--patients` and the measured week through the API as usual.
    #[arg(long)]
    seeded_large: bool,
    /// Patients of the bulk history (with --seeded-large).
    #[arg(long, default_value_t = 1_000_000)]
    large_patients: i64,
    /// Past appointments of the bulk history (with --seeded-large).
    #[arg(long, default_value_t = 10_000_000)]
    large_appointments: i64,
    /// About how many years the bulk history spans (sets how many practitioners hold it).
    #[arg(long, default_value_t = 20.0)]
    large_years: f64,
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// What one wrk run reports (the `BENCH {json}` line of bench/http.lua or ceiling.lua).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
struct Wrk {
    requests: u64,
    duration_us: u64,
    p50_us: u64,
    p99_us: u64,
    max_us: u64,
    connect: u64,
    read: u64,
    write: u64,
    status: u64,
    timeout: u64,
    /// Requests the script generated (the next distinct body starts after these).
    sent: u64,
    ok: u64,
    non2xx: u64,
    conflicts: u64,
    /// Whether the script counted every status (false: only wrk's own count above 399).
    counted: bool,
    /// The server process's CPU time (user + system, all its threads) over the run, in
    /// microseconds: steadier than req/s on a shared machine. On PostgreSQL the
    /// database's own processes are not in it.
    #[serde(default)]
    server_cpu_us: u64,
}

impl Wrk {
    fn rate(&self) -> f64 {
        self.requests as f64 / (self.duration_us.max(1) as f64 / 1e6)
    }
    /// The server's CPU time per answered request, in microseconds.
    fn cpu_per_request_us(&self) -> f64 {
        self.server_cpu_us as f64 / self.requests.max(1) as f64
    }
    fn socket_errors(&self) -> u64 {
        self.connect + self.read + self.write + self.timeout
    }
    /// Sent but never answered (the run ended with them in flight).
    fn unanswered(&self) -> u64 {
        self.sent.saturating_sub(self.ok + self.non2xx)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Ceiling {
    /// The ceiling itself.
    None,
    /// Reads: against `GET /healthz`.
    Healthz,
    /// Writes: against the fsync loop.
    Fsync,
}

enum Load {
    Healthz,
    Get(String),
    Patient(PathBuf),
    CreatePatient,
    Book(PathBuf),
}

struct Op {
    key: &'static str,
    label: &'static str,
    ceiling: Ceiling,
    load: Load,
}

/// The URL of database `name` on the PostgreSQL server `server` (`postgres://…:5432`;
/// its `?options` are kept).
fn pg_database_url(server: &str, name: &str) -> anyhow::Result<String> {
    let mut url =
        reqwest::Url::parse(server).with_context(|| format!("--postgres-url {server}"))?;
    url.set_path(name);
    Ok(url.into())
}

#[derive(QueryableByName)]
struct Tls {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    ssl: bool,
}

/// What the report says of the PostgreSQL server (`None`s on SQLite): whether the
/// connection is encrypted, and the CPU its processes were pinned to, if they were.
#[derive(Clone, Copy)]
struct PgRun {
    tls: Option<bool>,
    cpu: Option<usize>,
}

impl PgRun {
    /// Where PostgreSQL's processes ran, in words (`None` on SQLite).
    fn placement(self) -> Option<String> {
        self.tls?;
        Some(match self.cpu {
            Some(cpu) => format!("PostgreSQL on CPU {cpu}"),
            None => "PostgreSQL unpinned".to_owned(),
        })
    }
}

/// The fields of `/proc/PID/stat` after the command name (which is in parentheses and
/// may hold spaces): the state is `[0]`, the parent `[1]`, utime and stime `[11]`, `[12]`.
fn stat_fields(pid: u32) -> Vec<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(')').map_or(Vec::new(), |(_, rest)| {
        rest.split_whitespace().map(str::to_owned).collect()
    })
}

/// Whether a connection made as the server makes its own (same URL, same `PG*`
/// environment) is encrypted, as PostgreSQL itself reports it.
fn pg_uses_tls(database_url: &str) -> anyhow::Result<bool> {
    let mut c = diesel::PgConnection::establish(database_url)?;
    let row: Tls = diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result(&mut c)?;
    Ok(row.ssl)
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// One line per phase; on a terminal the line shows progress while the phase runs.
struct Progress {
    tty: bool,
    step: usize,
    total: usize,
    label: String,
    started: Instant,
}

impl Progress {
    fn start(&mut self, label: impl Into<String>) {
        self.step += 1;
        self.label = label.into();
        self.started = Instant::now();
        print!("{}", self.head());
        std::io::stdout().flush().ok();
    }
    fn head(&self) -> String {
        format!("[{:>2}/{}] {:<48}", self.step, self.total, self.label)
    }
    fn update(&self, text: &str) {
        if self.tty {
            print!("\r{} {text}\x1b[K", self.head());
            std::io::stdout().flush().ok();
        }
    }
    fn done(&self, text: &str) {
        let took = self.started.elapsed().as_secs_f64();
        if self.tty {
            println!("\r{} {text} ({took:.1} s)\x1b[K", self.head());
        } else {
            println!(" {text} ({took:.1} s)");
        }
    }
}

/// The API as the seeding client sees it.
struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> anyhow::Result<Value> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if method != reqwest::Method::GET {
            req = req.json(body);
        }
        let response = req
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("{method} {path}: {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
    async fn post(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        self.send(reqwest::Method::POST, path, Some(token), &body)
            .await
    }
    async fn get(&self, path: &str, token: &str) -> anyhow::Result<Value> {
        self.send(reqwest::Method::GET, path, Some(token), &Value::Null)
            .await
    }
    async fn login(&self, email: &str) -> anyhow::Result<String> {
        let v = self
            .send(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                &json!({"email": email, "password": PASSWORD}),
            )
            .await?;
        Ok(v["token"]
            .as_str()
            .ok_or_else(|| anyhow!("login of {email}: no token"))?
            .to_owned())
    }
}

fn id_of(v: &Value) -> anyhow::Result<String> {
    Ok(v["id"]
        .as_str()
        .ok_or_else(|| anyhow!("no id in {v}"))?
        .to_owned())
}

/// RFC 3339 in UTC with `Z` (nothing to escape in a query string).
fn z(at: chrono::DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn thousands(x: f64) -> String {
    let n = x.round() as u64;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ms(us: u64) -> String {
    let ms = us as f64 / 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{} ms", thousands(ms))
    }
}

/// Starts inside a week's working hours, as seconds from Monday 00:00, on the grid.
fn weekly_starts() -> Vec<i64> {
    let hold = VISIT_MINUTES + BUFFER_MINUTES;
    let mut out = Vec::new();
    for day in WORK_DAYS {
        let mut m = WORK_START;
        while m + hold <= WORK_END {
            out.push(i64::from(day - 1) * 86_400 + i64::from(m) * 60);
            m += GRID_MINUTES;
        }
    }
    out
}

fn run(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The kernel's clock tick (`getconf CLK_TCK`; 100 on Linux unless told otherwise).
fn clock_ticks_per_second() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|t| t.trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

/// The server process; stopped (SIGTERM, then SIGKILL) when dropped.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().ok();
        let deadline = Instant::now() + StdDuration::from_secs(15);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(StdDuration::from_millis(100));
        }
        self.child.kill().ok();
        self.child.wait().ok();
    }
    /// CPU time the server process has used so far (user + system, every thread), in
    /// microseconds, from `/proc/<pid>/stat` (clock ticks).
    fn cpu_us(&self) -> u64 {
        let fields = stat_fields(self.child.id());
        let ticks: u64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
            .sum();
        ticks * 1_000_000 / clock_ticks_per_second()
    }
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The 4 KiB pwrite+fdatasync loop: durable commits per second of this disk.
fn fsync_ceiling(dir: &Path, seconds: f64) -> anyhow::Result<(f64, u64)> {
    const SIZE: u64 = 16 << 20;
    let file = tempfile::tempfile_in(dir).with_context(|| format!("temp file in {dir:?}"))?;
    // Preallocated (written and synced) first, as a WAL segment is: the loop then
    // measures data syncs, not block allocation.
    let zeros = vec![0u8; 1 << 20];
    for i in 0..(SIZE >> 20) {
        file.write_all_at(&zeros, i << 20)?;
    }
    file.sync_all()?;
    let block = [0x5au8; 4096];
    let (mut n, mut offset) = (0u64, 0u64);
    let t = Instant::now();
    while t.elapsed().as_secs_f64() < seconds {
        file.write_all_at(&block, offset)?;
        file.sync_data()?;
        n += 1;
        offset = (offset + 4096) % SIZE;
    }
    Ok((n as f64 / t.elapsed().as_secs_f64(), n))
}

#[derive(QueryableByName)]
struct Head {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    seq: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    hash: String,
}

/// PostgreSQL alone, no app: how many audited commits per second the audit chain's
/// design allows on this machine, and how many plain ones. `connections` clients
/// each loop over one transaction: insert a row; for the chained kind also take the
/// chain's advisory lock and read the chain's head (one round trip, as the app's
/// `audit_chain_head`) and append a row after it, as every audited write does; commit. The chain lock is held through the commit (so that the
/// next appender reads the head as committed): chained commits cannot share a WAL
/// flush, and this is the ceiling of every audited write on PostgreSQL. Scratch tables
/// in the run's database, dropped after; another lock key than the app's.
fn chained_commit_ceiling(
    database_url: &str,
    connections: usize,
    seconds: f64,
) -> anyhow::Result<(f64, f64)> {
    let mut setup = diesel::PgConnection::establish(database_url)?;
    diesel::connection::SimpleConnection::batch_execute(
        &mut setup,
        "DROP FUNCTION IF EXISTS bench_probe_head(bigint);
         DROP TABLE IF EXISTS bench_probe_row, bench_probe_chain;
         CREATE TABLE bench_probe_row (id uuid PRIMARY KEY, at timestamptz NOT NULL);
         CREATE TABLE bench_probe_chain (seq bigint PRIMARY KEY, id uuid NOT NULL UNIQUE,
             at timestamptz NOT NULL, patient_id uuid, prev_hash text NOT NULL,
             hash text NOT NULL);
         CREATE INDEX ON bench_probe_chain (patient_id, seq);
         CREATE INDEX ON bench_probe_chain (at);
         INSERT INTO bench_probe_chain VALUES (0, gen_random_uuid(), now(), NULL, '', '0');
         CREATE FUNCTION bench_probe_head(k bigint, OUT seq bigint, OUT hash text)
         LANGUAGE plpgsql VOLATILE AS $$ BEGIN
             PERFORM pg_advisory_xact_lock(k);
             SELECT c.seq, c.hash INTO seq, hash FROM bench_probe_chain c
             ORDER BY c.seq DESC LIMIT 1;
         END $$;",
    )?;
    let run = |chained: bool| -> anyhow::Result<f64> {
        let start = Instant::now();
        let threads: Vec<_> = (0..connections)
            .map(|_| {
                let url = database_url.to_owned();
                std::thread::spawn(move || -> anyhow::Result<u64> {
                    let mut c = diesel::PgConnection::establish(&url)?;
                    let mut n = 0u64;
                    while start.elapsed().as_secs_f64() < seconds {
                        c.transaction(|c| {
                            diesel::sql_query(
                                "INSERT INTO bench_probe_row VALUES (gen_random_uuid(), now())",
                            )
                            .execute(c)?;
                            if chained {
                                // The lock, then the head read after it, in one
                                // round trip, as `audit::append_chained` does.
                                let head: Head = diesel::sql_query(
                                    "SELECT seq, hash FROM bench_probe_head(4242)",
                                )
                                .get_result(c)?;
                                let hash = format!("{:064x}", head.seq + 1);
                                diesel::sql_query(
                                    "INSERT INTO bench_probe_chain VALUES \
                                     ($1, gen_random_uuid(), now(), gen_random_uuid(), $2, $3)",
                                )
                                .bind::<diesel::sql_types::BigInt, _>(head.seq + 1)
                                .bind::<diesel::sql_types::Text, _>(head.hash)
                                .bind::<diesel::sql_types::Text, _>(hash)
                                .execute(c)?;
                            }
                            diesel::QueryResult::Ok(())
                        })?;
                        n += 1;
                    }
                    Ok(n)
                })
            })
            .collect();
        let mut total = 0;
        for t in threads {
            total += t.join().map_err(|_| anyhow!("a probe client panicked"))??;
        }
        Ok(total as f64 / start.elapsed().as_secs_f64())
    };
    let chained = run(true);
    let plain = run(false);
    diesel::connection::SimpleConnection::batch_execute(
        &mut setup,
        "DROP FUNCTION bench_probe_head(bigint); DROP TABLE bench_probe_row; \
         DROP TABLE bench_probe_chain;",
    )?;
    Ok((chained?, plain?))
}

#[derive(QueryableByName)]
struct Held {
    #[diesel(sql_type = diesel::sql_types::Text)]
    practitioner: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    patient: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    starts_at: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    blocked_until: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

/// What the database holds after the run: counts and overlapping holds.
struct Stored {
    patients: i64,
    appointments: i64,
    practitioner_overlaps: usize,
    patient_overlaps: usize,
}

fn stored<C>(conn: &mut C, id: &str, since: Option<&str>) -> anyhow::Result<Stored>
where
    C: Connection,
    for<'a> diesel::query_builder::SqlQuery:
        diesel::query_dsl::LoadQuery<'a, C, Count> + diesel::query_dsl::LoadQuery<'a, C, Held>,
{
    let count = |conn: &mut C, table: &str| -> anyhow::Result<i64> {
        let rows: Vec<Count> =
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).load(conn)?;
        Ok(rows.first().map_or(0, |r| r.n))
    };
    let patients = count(conn, "patients")?;
    let appointments = count(conn, "appointments")?;
    let held: Vec<Held> = diesel::sql_query(format!(
        "SELECT {p} AS practitioner, {q} AS patient, CAST(starts_at AS TEXT) AS starts_at, \
         CAST(blocked_until AS TEXT) AS blocked_until FROM appointments \
         WHERE status NOT IN ('cancelled', 'no_show'){since}",
        p = id.replace("{}", "practitioner_id"),
        q = id.replace("{}", "patient_id"),
        // The bulk history lies before `since` and was checked by the database itself
        // (triggers, exclusion constraints) as it went in.
        since = since.map_or(String::new(), |s| format!(" AND starts_at >= '{s}'")),
    ))
    .load(conn)?;
    let overlaps = |key: fn(&Held) -> &str| {
        let mut rows: Vec<&Held> = held.iter().collect();
        rows.sort_by(|a, b| (key(a), &a.starts_at).cmp(&(key(b), &b.starts_at)));
        rows.windows(2)
            .filter(|w| key(w[0]) == key(w[1]) && w[1].starts_at < w[0].blocked_until)
            .count()
    };
    Ok(Stored {
        patients,
        appointments,
        practitioner_overlaps: overlaps(|h| &h.practitioner),
        patient_overlaps: overlaps(|h| &h.patient),
    })
}

struct Run {
    client_cpu: usize,
    connections: usize,
    base: String,
    work: PathBuf,
    wrk_log: PathBuf,
}

impl Run {
    fn wrk(
        &self,
        load: &Load,
        token: &str,
        seconds: u64,
        offset: u64,
        nonce: &str,
    ) -> anyhow::Result<Wrk> {
        let (script, url, extra): (&str, String, Vec<String>) = match load {
            Load::Healthz => ("ceiling.lua", format!("{}/healthz", self.base), vec![]),
            Load::Get(path) => (
                "http.lua",
                self.base.clone(),
                vec!["get".into(), token.into(), path.clone()],
            ),
            Load::Patient(file) => (
                "http.lua",
                self.base.clone(),
                vec!["patient".into(), token.into(), file.display().to_string()],
            ),
            Load::CreatePatient => (
                "http.lua",
                self.base.clone(),
                vec![
                    "create-patient".into(),
                    token.into(),
                    nonce.into(),
                    offset.to_string(),
                ],
            ),
            Load::Book(file) => (
                "http.lua",
                self.base.clone(),
                vec![
                    "book".into(),
                    token.into(),
                    file.display().to_string(),
                    offset.to_string(),
                ],
            ),
        };
        let out = run(Command::new("taskset")
            .arg("-c")
            .arg(self.client_cpu.to_string())
            .arg("wrk")
            .arg("-t1")
            .arg(format!("-c{}", self.connections))
            .arg(format!("-d{seconds}s"))
            .arg("--timeout")
            .arg("60s")
            .arg("-s")
            .arg(self.work.join(script))
            .arg(&url)
            .arg("--")
            .args(&extra))?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.wrk_log)
            .and_then(|mut f| writeln!(f, "{url} {seconds}s {:?}\n{out}", extra.first()))
            .ok();
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix("BENCH "))
            .ok_or_else(|| anyhow!("wrk printed no BENCH line:\n{out}"))?;
        Ok(serde_json::from_str(line)?)
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (manifest, target) = bulk::repo_and_target();
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let mut p = Progress {
        tty: std::io::stdout().is_terminal(),
        step: 0,
        // Eighteen steps (both ceilings are measured again at the end), one more for
        // the bulk history, one more for PostgreSQL's commit ceilings.
        total: 18 + usize::from(args.seeded_large) + usize::from(args.backend == Backend::Postgres),
        label: String::new(),
        started: Instant::now(),
    };
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    // Tools first: fail before anything is built or seeded.
    for tool in ["wrk", "taskset"] {
        if Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .map_or(true, |s| !s.success())
        {
            bail!("`{tool}` is needed (Debian: apt-get install -y wrk util-linux)");
        }
    }
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    if args.server_cpu == args.client_cpu || args.server_cpu.max(args.client_cpu) >= cpus {
        bail!("server and wrk need two different CPUs below {cpus} (--server-cpu, --client-cpu)");
    }
    if let Some(cpu) = args.postgres_cpu {
        if args.backend != Backend::Postgres || cpu >= cpus || cpu == args.server_cpu {
            bail!("--postgres-cpu takes a CPU below {cpus} other than the server's, with --backend postgres");
        }
    }

    p.start("build the server (cargo build --release)");
    let bin = bulk::server_binary(args.server_bin.as_deref())?;
    p.done(&match &args.server_bin {
        Some(given) => format!("given: {}", given.display()),
        None => "target/release/dermachart".to_owned(),
    });
    let commit = run(Command::new("git").current_dir(&manifest).args([
        "describe",
        "--always",
        "--dirty",
        "--abbrev=12",
    ]))
    .map(|s| s.trim().to_owned())
    .unwrap_or_default();

    p.start("fresh database");
    let work = args.work_dir.clone().unwrap_or_else(|| {
        target
            .join("bench-http")
            .join(format!("{}-{stamp}", backend_name(args.backend)))
    });
    std::fs::create_dir_all(&work)?;
    let work = work.canonicalize()?;
    std::fs::write(work.join("http.lua"), HTTP_LUA)?;
    std::fs::write(work.join("ceiling.lua"), CEILING_LUA)?;
    let pg_name = format!("bench_http_{}", stamp.to_lowercase());
    let pg_admin = pg_database_url(&args.postgres_url, "postgres")?;
    // PostgreSQL's processes on a CPU of their own for the run (put back on drop),
    // before anything is created: a run asked to pin that cannot stops here.
    let pg_pinned = match args.postgres_cpu {
        Some(cpu) => Some(
            pin::pin_postgres(&pg_admin, cpu)
                .context("--postgres-cpu: PostgreSQL's processes could not be pinned")?,
        ),
        None => None,
    };
    let (database_url, pg_tls) = match args.backend {
        Backend::Sqlite => (
            format!("sqlite://{}", work.join("bench.db").display()),
            None,
        ),
        Backend::Postgres => {
            let mut c = diesel::PgConnection::establish(&pg_admin)
                .with_context(|| format!("connect to {pg_admin}"))?;
            diesel::sql_query(format!("CREATE DATABASE {pg_name}")).execute(&mut c)?;
            let url = pg_database_url(&args.postgres_url, &pg_name)?;
            let tls = pg_uses_tls(&url)?;
            (url, Some(tls))
        }
    };
    match pg_tls {
        Some(tls) => p.done(&format!("{database_url} (TLS {})", on_off(tls))),
        None => p.done(&database_url),
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(bench(
        &args,
        &bin,
        &work,
        &database_url,
        PgRun {
            tls: pg_tls,
            cpu: args.postgres_cpu,
        },
        &mut p,
        &stamp,
    ));
    drop(pg_pinned);

    // The database is gone (PostgreSQL) or kept with the folder (--keep) in every case.
    if args.backend == Backend::Postgres && !args.keep {
        if let Ok(mut c) = diesel::PgConnection::establish(&pg_admin) {
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"))
                .execute(&mut c)
                .ok();
        }
    }
    let mut report = match outcome {
        Ok(report) => report,
        Err(e) => {
            println!();
            eprintln!("work folder kept: {}", work.display());
            return Err(e);
        }
    };
    // An invalid run keeps its folder (server.log, wrk.log) for a look.
    if !args.keep && report["valid"] == json!(true) {
        std::fs::remove_dir_all(&work).ok();
    } else {
        println!("work folder kept: {}", work.display());
    }

    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_default();
    report["commit"] = json!(commit);
    report["machine"] = json!({
        "cpus": cpus, "cpu_model": cpu_model,
        "loadavg_before": load_before.trim(), "loadavg_after": load_after.trim(),
    });
    let json_path = args
        .json
        .clone()
        .unwrap_or_else(|| target.join(format!("bench-http-{}.json", backend_name(args.backend))));
    if let Some(dir) = json_path.parent() {
        std::fs::create_dir_all(dir).ok();
    }
    std::fs::write(&json_path, serde_json::to_string_pretty(&report)?)?;
    println!("JSON: {}", json_path.display());
    if report["valid"] == json!(true) {
        Ok(())
    } else {
        std::process::exit(2)
    }
}

async fn bench(
    args: &Args,
    bin: &Path,
    work: &Path,
    database_url: &str,
    pg: PgRun,
    p: &mut Progress,
    stamp: &str,
) -> anyhow::Result<Value> {
    p.start("admin bootstrap (dermachart user create)");
    let mut create = Command::new(bin);
    create.args([
        "user",
        "create",
        "--role",
        "admin",
        "--email",
        ADMIN_EMAIL,
        "--password-env",
        "BENCH_ADMIN_PASSWORD",
    ]);
    app_env(&mut create, database_url, work);
    run(&mut create)?;
    p.done(ADMIN_EMAIL);

    p.start(format!("start the server (taskset -c {})", args.server_cpu));
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let api = Api {
        base: base.clone(),
        http: reqwest::Client::builder()
            .timeout(StdDuration::from_secs(60))
            .build()?,
    };
    let mut server = start_server(args, bin, work, database_url, port, &api).await?;
    p.done(&base);

    p.start(format!(
        "seed the clinic ({} practitioners, users, hours)",
        args.practitioners
    ));
    let admin = api.login(ADMIN_EMAIL).await?;
    api.post(
        "/api/v1/users",
        &admin,
        json!({"email": DESK_EMAIL, "password": PASSWORD, "display_name": "Front desk", "role": "front_desk"}),
    )
    .await?;
    let location = id_of(
        &api.post("/api/v1/locations", &admin, json!({"name": "Bench clinic"}))
            .await?,
    )?;
    let hours: Vec<Value> = WORK_DAYS
        .iter()
        .map(|d| {
            json!({"weekday": d, "start": format!("{:02}:{:02}", WORK_START / 60, WORK_START % 60),
                "end": format!("{:02}:{:02}", WORK_END / 60, WORK_END % 60), "location_id": location})
        })
        .collect();
    let mut practitioners = Vec::new();
    for i in 0..args.practitioners.max(1) {
        let user = id_of(
            &api.post(
                "/api/v1/users",
                &admin,
                json!({"email": format!("practitioner{i}@bench.example"), "password": PASSWORD,
                    "display_name": format!("Dr Bench {i}"), "role": "practitioner"}),
            )
            .await?,
        )?;
        let id = id_of(
            &api.post(
                "/api/v1/practitioners",
                &admin,
                json!({"user_id": user, "display_name": format!("Dr Bench {i}")}),
            )
            .await?,
        )?;
        api.send(
            reqwest::Method::PUT,
            &format!("/api/v1/practitioners/{id}/working-hours"),
            Some(&admin),
            &json!(hours),
        )
        .await?;
        practitioners.push(id);
    }
    let service = id_of(
        &api.post(
            "/api/v1/services",
            &admin,
            json!({"name": "Consultation", "duration_minutes": VISIT_MINUTES, "buffer_minutes": BUFFER_MINUTES}),
        )
        .await?,
    )?;
    let desk = api.login(DESK_EMAIL).await?;
    p.done("admin, front desk, location, service");

    let large = if args.seeded_large {
        p.start(format!(
            "bulk history: {} patients, {} appointments",
            thousands(args.large_patients as f64),
            thousands(args.large_appointments as f64)
        ));
        server.stop();
        let plan = bulk::Plan {
            patients: args.large_patients,
            appointments: args.large_appointments,
            years: args.large_years,
        };
        let outcome = bulk::seed(database_url, plan, &mut |phase, done| {
            p.update(&format!("{phase} {:.0} %", done * 100.0));
        })?;
        p.update("start the server again");
        server = start_server(args, bin, work, database_url, port, &api).await?;
        p.done(&format!(
            "{} practitioners, {} .. {}, {:.2} GB",
            outcome.practitioners,
            &outcome.history_from[..10],
            &outcome.history_to[..10],
            outcome.database_bytes as f64 / 1e9
        ));
        Some(outcome)
    } else {
        None
    };

    p.start(format!("seed {} patients (POST /patients)", args.patients));
    const GIVEN: [&str; 12] = [
        "Amelia", "Olivia", "Isla", "Ava", "Mia", "Grace", "Noah", "Oliver", "Leo", "Arthur",
        "Harry", "Freya",
    ];
    const FAMILY: [&str; 12] = [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
        "Wright", "Evans", "Walker",
    ];
    let t = Instant::now();
    let api_ref = &api;
    let desk_ref = desk.as_str();
    let mut seeded = futures_util::stream::iter(0..args.patients)
        .map(|i| async move {
            let body = json!({
                "given_name": GIVEN[i % GIVEN.len()],
                "family_name": format!("{}-{i}", FAMILY[(i / GIVEN.len()) % FAMILY.len()]),
                "date_of_birth": format!("{}-{:02}-{:02}", 1940 + i % 60, 1 + i % 12, 1 + i % 28),
                "phone": format!("+44 7700 {:06}", i % 1_000_000),
                "email": format!("seed{i}@bench.example"),
            });
            api_ref
                .post("/api/v1/patients", desk_ref, body)
                .await
                .and_then(|v| id_of(&v))
        })
        .buffer_unordered(args.connections.max(1));
    let mut patients = Vec::with_capacity(args.patients);
    while let Some(id) = seeded.next().await {
        patients.push(id?);
        if patients.len() % 250 == 0 {
            p.update(&format!("{}/{}", patients.len(), args.patients));
        }
    }
    drop(seeded);
    if patients.len() < args.practitioners.max(WEEK_PER_DAY as usize * 5) {
        bail!("--patients must be at least 40 and at least --practitioners");
    }
    let seeded_rate = patients.len() as f64 / t.elapsed().as_secs_f64();
    p.done(&format!(
        "{} ({}/s)",
        patients.len(),
        thousands(seeded_rate)
    ));

    // The measured week: the Monday at least a week ahead (no reminder falls due during
    // the run), 8 appointments a day for the first practitioner.
    p.start("seed the week: 40 appointments of one practitioner");
    let today = Utc::now().date_naive();
    let monday = {
        let d = today + Duration::days(7);
        d - Duration::days(i64::from(d.weekday().num_days_from_monday())) + Duration::days(7)
    };
    let at = |d: NaiveDate, minute: u32| {
        Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)) + Duration::minutes(i64::from(minute))
    };
    let mut k = 0;
    for day in 0..5 {
        for slot in 0..WEEK_PER_DAY {
            let starts = at(monday + Duration::days(day), 9 * 60 + 60 * slot);
            api.post(
                "/api/v1/appointments",
                &desk,
                json!({"patient_id": patients[k], "practitioner_id": practitioners[0],
                    "service_id": service, "starts_at": z(starts)}),
            )
            .await?;
            k += 1;
        }
    }
    p.done(&format!("week of {monday}"));

    p.start("check the requests and the booking plan");
    let week_path = format!(
        "/api/v1/appointments?practitioner_id={}&from={}&to={}",
        practitioners[0],
        z(at(monday, 0)),
        z(at(monday + Duration::days(7), 0))
    );
    let listed = api.get(&week_path, &desk).await?;
    let n = listed["items"].as_array().map_or(0, Vec::len);
    if n != 40 {
        bail!("the week lists {n} appointments, not 40");
    }
    let wednesday = monday + Duration::days(2);
    let availability_path = format!(
        "/api/v1/availability?service_id={service}&practitioner_id={}&from={}&to={}",
        practitioners[0],
        z(at(wednesday, 0)),
        z(at(wednesday + Duration::days(1), 0))
    );
    let free = api.get(&availability_path, &desk).await?;
    let free_slots = free["items"].as_array().map_or(0, Vec::len);
    if free_slots == 0 {
        bail!("no free slot on {wednesday}: {free}");
    }
    api.get(&format!("/api/v1/patients/{}", patients[0]), &desk)
        .await?;
    // Bookings go to the other practitioners, from two weeks after the measured one.
    let booking_base = at(monday + Duration::days(14), 0);
    let starts = weekly_starts();
    let bookers: Vec<&String> = if practitioners.len() > 1 {
        practitioners[1..].iter().collect()
    } else {
        practitioners.iter().collect()
    };
    // The plan's first day must be free exactly where the plan says, for each booker.
    for who in &bookers {
        let first_day = booking_base + Duration::seconds(starts[0] - starts[0] % 86_400);
        let v = api
            .get(
                &format!(
                    "/api/v1/availability?service_id={service}&practitioner_id={who}&from={}&to={}&step_minutes=15",
                    z(first_day),
                    z(first_day + Duration::days(1))
                ),
                &desk,
            )
            .await?;
        let offered: Vec<&str> = v["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["starts_at"].as_str())
            .collect();
        for s in starts.iter().filter(|s| **s < 86_400) {
            let want = booking_base + Duration::seconds(*s);
            let found = offered
                .iter()
                .any(|o| chrono::DateTime::parse_from_rfc3339(o).is_ok_and(|o| o == want));
            if !found {
                bail!("the plan's slot {} is not offered as free: {v}", z(want));
            }
        }
    }
    let patients_file = work.join("patients.txt");
    std::fs::write(&patients_file, patients.join("\n") + "\n")?;
    let plan_file = work.join("plan.txt");
    let mut plan = format!("base {}\nservice {service}\n", booking_base.timestamp());
    for s in &starts {
        writeln!(plan, "slot {s}")?;
    }
    for who in &bookers {
        writeln!(plan, "practitioner {who}")?;
    }
    for patient in &patients {
        writeln!(plan, "patient {patient}")?;
    }
    std::fs::write(&plan_file, plan)?;
    // PostgreSQL writes the seeding's dirty pages out at its next checkpoint (every
    // `checkpoint_timeout`, 5 min by default, or each `max_wal_size` of WAL); one that
    // falls inside a 10 s measurement puts its I/O into that operation's tail alone.
    // So the measurements start just after an explicit one and (the measured part
    // lasting about 90 s with the default --duration and --warmup, the ceilings measured
    // again at the end included; a --duration of about 35 s or more can meet a timed
    // checkpoint again) none of them meets the next. CHECKPOINT
    // needs a superuser (or pg_checkpoint); without one the run goes on and says so.
    let checkpoint = if args.backend == Backend::Postgres {
        let done = diesel::PgConnection::establish(database_url)
            .map_err(anyhow::Error::from)
            .and_then(|mut c| Ok(diesel::sql_query("CHECKPOINT").execute(&mut c)?));
        match done {
            Ok(_) => ", CHECKPOINT",
            Err(_) => ", no CHECKPOINT (not permitted): a checkpoint may fall in a phase",
        }
    } else {
        // SQLite: the same for the WAL (its pages copied into the database file now,
        // not by the writer in the middle of a phase), and below for the kernel.
        let done =
            diesel::SqliteConnection::establish(database_url.trim_start_matches("sqlite://"))
                .map_err(anyhow::Error::from)
                .and_then(|mut c| {
                    Ok(diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut c)?)
                });
        match done {
            Ok(_) => ", WAL checkpoint",
            Err(_) => ", no WAL checkpoint (busy): one may fall in a phase",
        }
    };
    // The kernel writes dirty pages out lazily: after a large seeding, gigabytes of them
    // would be flushed by the first fsync of the database file inside a phase. `sync`
    // writes them out now.
    let synced = match Command::new("sync").status() {
        Ok(s) if s.success() => ", sync",
        _ => ", no sync",
    };
    p.done(&format!(
        "week lists 40, {free_slots} free slots on {wednesday}, plan: {} starts a week × {} practitioners{checkpoint}{synced}",
        starts.len(),
        bookers.len()
    ));

    p.start(format!(
        "fsync ceiling (4 KiB pwrite+fdatasync, {} s)",
        args.fsync_seconds
    ));
    let fsync_dir = match args.backend {
        Backend::Sqlite => work.to_path_buf(),
        Backend::Postgres => postgres_disk(database_url, work),
    };
    let (fsync, fsync_n) = fsync_ceiling(&fsync_dir, args.fsync_seconds)?;
    p.done(&format!(
        "{} commits/s in {}",
        thousands(fsync),
        fsync_dir.display()
    ));
    let chain = match args.backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            p.start(format!(
                "PostgreSQL alone: chained and plain commits ({} clients, {} s each)",
                args.connections, args.fsync_seconds
            ));
            let (chained, plain) =
                chained_commit_ceiling(database_url, args.connections, args.fsync_seconds)?;
            p.done(&format!(
                "chained {} commits/s, plain {} commits/s",
                thousands(chained),
                thousands(plain)
            ));
            Some((chained, plain))
        }
    };

    let runner = Run {
        client_cpu: args.client_cpu,
        connections: args.connections,
        base: base.clone(),
        work: work.to_path_buf(),
        wrk_log: work.join("wrk.log"),
    };
    let ops = [
        Op {
            key: "healthz",
            label: "GET /healthz",
            ceiling: Ceiling::None,
            load: Load::Healthz,
        },
        Op {
            key: "read_patient",
            label: "GET /patients/{id}",
            ceiling: Ceiling::Healthz,
            load: Load::Patient(patients_file.clone()),
        },
        Op {
            key: "week",
            label: "GET /appointments?practitioner_id=&from=&to= (week, 40)",
            ceiling: Ceiling::Healthz,
            load: Load::Get(week_path.clone()),
        },
        Op {
            key: "availability",
            label: "GET /availability (one day, one practitioner)",
            ceiling: Ceiling::Healthz,
            load: Load::Get(availability_path.clone()),
        },
        Op {
            key: "create_patient",
            label: "POST /patients",
            ceiling: Ceiling::Fsync,
            load: Load::CreatePatient,
        },
        Op {
            key: "book",
            label: "POST /appointments (distinct free slots)",
            ceiling: Ceiling::Fsync,
            load: Load::Book(plan_file.clone()),
        },
        // The ceiling again, last: how far the machine itself moved during the run.
        Op {
            key: "healthz_again",
            label: "GET /healthz (again, last)",
            ceiling: Ceiling::None,
            load: Load::Healthz,
        },
    ];
    let mut results: Vec<(usize, Wrk, Wrk)> = Vec::new();
    let (mut create_offset, mut book_offset) = (0u64, 0u64);
    for (i, op) in ops.iter().enumerate() {
        p.start(format!(
            "{} ({} s + {} s)",
            op.label, args.warmup, args.duration
        ));
        let mut offset = match op.load {
            Load::CreatePatient => create_offset,
            Load::Book(_) => book_offset,
            _ => 0,
        };
        let warm = if args.warmup > 0 {
            p.update("warm-up");
            runner.wrk(&op.load, &desk, args.warmup, offset, stamp)?
        } else {
            Wrk::default()
        };
        offset += warm.sent;
        p.update("measuring");
        let cpu_before = server.cpu_us();
        let mut measured = runner.wrk(&op.load, &desk, args.duration, offset, stamp)?;
        measured.server_cpu_us = server.cpu_us().saturating_sub(cpu_before);
        offset += measured.sent;
        match op.load {
            Load::CreatePatient => create_offset = offset,
            Load::Book(_) => book_offset = offset,
            _ => {}
        }
        p.done(&format!(
            "{} req/s, p50 {}, p99 {}, server CPU {:.0} µs/req, non-2xx {}",
            thousands(measured.rate()),
            ms(measured.p50_us),
            ms(measured.p99_us),
            measured.cpu_per_request_us(),
            measured.non2xx + warm.non2xx
        ));
        results.push((i, warm, measured));
    }

    p.start(format!("fsync ceiling again ({} s)", args.fsync_seconds));
    let (fsync_again, _) = fsync_ceiling(&fsync_dir, args.fsync_seconds)?;
    p.done(&format!("{} commits/s", thousands(fsync_again)));

    p.start("stop the server, check the database");
    server.stop();
    let (created, created_unanswered, booked, booked_unanswered) =
        results
            .iter()
            .fold((0u64, 0u64, 0u64, 0u64), |acc, (i, w, m)| {
                match ops[*i].load {
                    Load::CreatePatient => (
                        acc.0 + w.ok + m.ok,
                        acc.1 + w.unanswered() + m.unanswered(),
                        acc.2,
                        acc.3,
                    ),
                    Load::Book(_) => (
                        acc.0,
                        acc.1,
                        acc.2 + w.ok + m.ok,
                        acc.3 + w.unanswered() + m.unanswered(),
                    ),
                    _ => acc,
                }
            });
    let since = large.as_ref().map(|o| o.history_to.as_str());
    let found = match args.backend {
        Backend::Sqlite => {
            let path = database_url.trim_start_matches("sqlite://");
            stored(
                &mut diesel::SqliteConnection::establish(path)?,
                "hex({})",
                since,
            )?
        }
        Backend::Postgres => stored(
            &mut diesel::PgConnection::establish(database_url)?,
            "CAST({} AS TEXT)",
            since,
        )?,
    };
    let (history_patients, history_appointments) = large
        .as_ref()
        .map_or((0, 0), |o| (o.patients as u64, o.appointments as u64));
    let expected_patients = history_patients + patients.len() as u64 + created;
    let expected_appointments = history_appointments + 40 + booked;
    p.done(&format!(
        "patients {} (answered 201: {}), appointments {} (answered 201: {}), overlaps {}",
        found.patients,
        expected_patients,
        found.appointments,
        expected_appointments,
        found.practitioner_overlaps + found.patient_overlaps
    ));

    // Verdict, table, JSON. The ratios are to the ceilings measured first; the second
    // measurements tell whether the machine held still meanwhile.
    let healthz = results
        .iter()
        .find(|(i, _, _)| ops[*i].ceiling == Ceiling::None)
        .map_or(0.0, |(_, _, m)| m.rate());
    let healthz_again = results
        .iter()
        .rfind(|(i, _, _)| ops[*i].ceiling == Ceiling::None)
        .map_or(0.0, |(_, _, m)| m.rate());
    let unsteady = unsteady_ceilings(&[
        ("GET /healthz", "req/s", healthz, healthz_again),
        ("the fsync loop", "commits/s", fsync, fsync_again),
    ]);
    let mut invalid: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    let mut table = String::new();
    writeln!(
        table,
        "| operation | req/s | p50 | p99 | % of ceiling | server CPU µs/req | non-2xx |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )?;
    for (i, warm, m) in &results {
        let op = &ops[*i];
        let (ceiling_name, ceiling) = match op.ceiling {
            Ceiling::None => ("", 0.0),
            Ceiling::Healthz => ("healthz", healthz),
            Ceiling::Fsync => ("fsync", fsync),
        };
        let pct = (ceiling > 0.0).then(|| 100.0 * m.rate() / ceiling);
        for (phase, r) in [("warm-up", warm), ("measurement", m)] {
            if r.non2xx > 0 {
                invalid.push(format!("{}: {} non-2xx in the {phase}", op.label, r.non2xx));
            }
            if r.conflicts > 0 {
                invalid.push(format!(
                    "{}: {} booking conflicts (409) in the {phase}",
                    op.label, r.conflicts
                ));
            }
            if r.socket_errors() > 0 {
                invalid.push(format!(
                    "{}: socket errors in the {phase} (connect {}, read {}, write {}, timeout {})",
                    op.label, r.connect, r.read, r.write, r.timeout
                ));
            }
        }
        writeln!(
            table,
            "| {} | {} | {} | {} | {} | {:.0} | {} |",
            match op.label.split_once(" (") {
                Some((path, note)) => format!("`{path}` ({note}"),
                None => format!("`{}`", op.label),
            },
            thousands(m.rate()),
            ms(m.p50_us),
            ms(m.p99_us),
            pct.map_or("ceiling".to_owned(), |p| format!(
                "{p:.1} % of {ceiling_name}"
            )),
            m.cpu_per_request_us(),
            m.non2xx + warm.non2xx
        )?;
        rows.push(json!({
            "key": op.key, "operation": op.label, "ceiling": op.ceiling,
            "req_per_s": m.rate(), "p50_ms": m.p50_us as f64 / 1000.0, "p99_ms": m.p99_us as f64 / 1000.0,
            "max_ms": m.max_us as f64 / 1000.0, "pct_of_ceiling": pct,
            "server_cpu_us_per_req": m.cpu_per_request_us(),
            "non_2xx": m.non2xx + warm.non2xx, "conflicts": m.conflicts + warm.conflicts,
            "measurement": m, "warmup": warm,
        }));
    }
    writeln!(
        table,
        "| fsync ceiling (4 KiB pwrite+fdatasync) | {} commits/s | | | ceiling | | |",
        thousands(fsync)
    )?;
    if let Some((chained, plain)) = chain {
        let write_rates: Vec<String> = rows
            .iter()
            .filter(|r| r["ceiling"] == json!(Ceiling::Fsync))
            .map(|r| {
                let rate = r["req_per_s"].as_f64().unwrap_or(0.0);
                format!(
                    "{} {:.0} %",
                    r["key"].as_str().unwrap_or("?"),
                    100.0 * rate / chained.max(1.0)
                )
            })
            .collect();
        writeln!(
            table,
            "| PostgreSQL alone, chained commits (insert, chain lock, head, audit row; {} clients) | {} commits/s | | | writes: {} | | |",
            args.connections,
            thousands(chained),
            write_rates.join(", ")
        )?;
        writeln!(
            table,
            "| PostgreSQL alone, plain commits (insert; {} clients) | {} commits/s | | | | | |",
            args.connections,
            thousands(plain)
        )?;
    }
    let lost_patients = expected_patients.saturating_sub(found.patients as u64);
    let extra_patients = (found.patients as u64).saturating_sub(expected_patients);
    if lost_patients > 0 || extra_patients > created_unanswered {
        invalid.push(format!(
            "patients: {} stored, {} answered 201 ({} unanswered at the end of a run)",
            found.patients, expected_patients, created_unanswered
        ));
    }
    let lost_appointments = expected_appointments.saturating_sub(found.appointments as u64);
    let extra_appointments = (found.appointments as u64).saturating_sub(expected_appointments);
    if lost_appointments > 0 || extra_appointments > booked_unanswered {
        invalid.push(format!(
            "appointments: {} stored, {} answered 201 ({} unanswered at the end of a run)",
            found.appointments, expected_appointments, booked_unanswered
        ));
    }
    if found.practitioner_overlaps + found.patient_overlaps > 0 {
        invalid.push(format!(
            "booking conflict: {} overlapping holds of one practitioner, {} of one patient",
            found.practitioner_overlaps, found.patient_overlaps
        ));
    }
    let valid = invalid.is_empty();
    println!();
    if let Some(o) = &large {
        println!(
            "large history: {} patients, {} past appointments of {} practitioners ({} .. {}), \
             seeded in {:.0} s, database {:.2} GB",
            thousands(o.patients as f64),
            thousands(o.appointments as f64),
            o.practitioners,
            &o.history_from[..10],
            &o.history_to[..10],
            o.seconds_total,
            o.database_bytes as f64 / 1e9
        );
    }
    println!(
        "{} · {} patients · wrk -t1 -c{} -d{}s after {} s warm-up · server on CPU {}, wrk on CPU {}{}",
        match args.backend {
            Backend::Sqlite => "SQLite".to_owned(),
            Backend::Postgres => format!("PostgreSQL (TLS {})", on_off(pg.tls.unwrap_or(false))),
        },
        patients.len(),
        args.connections,
        args.duration,
        args.warmup,
        args.server_cpu,
        args.client_cpu,
        pg.placement().map(|p| format!(", {p}")).unwrap_or_default()
    );
    print!("{table}");
    if valid {
        println!("VALID: every answer 2xx, no booking conflict, every 201 stored");
    } else {
        println!("INVALID:");
        for reason in &invalid {
            println!("  - {reason}");
        }
    }
    if unsteady.is_empty() {
        println!(
            "STEADY: both ceilings, measured again at the end, within {:.0} % of the first",
            100.0 * STEADY_WITHIN
        );
    } else {
        println!("UNSTEADY (the machine moved during the run; its ratios are not comparable):");
        for reason in &unsteady {
            println!("  - {reason}");
        }
    }
    Ok(json!({
        "tool": "bench-http",
        "started": stamp,
        "backend": args.backend,
        "settings": {
            "patients": patients.len(), "practitioners": practitioners.len(),
            "duration_s": args.duration, "warmup_s": args.warmup, "connections": args.connections,
            "wrk_threads": 1, "server_cpu": args.server_cpu, "client_cpu": args.client_cpu,
            "fsync_seconds": args.fsync_seconds,
            "postgres_tls": pg.tls,
            "postgres_cpu": pg.cpu,
            "postgres_placement": pg.placement(),
        },
        "seed": { "patients_per_s": seeded_rate, "week": monday.to_string() },
        "large": large,
        "ceilings": {
            "healthz_req_per_s": healthz,
            "healthz_again_req_per_s": healthz_again,
            "fsync_commits_per_s": fsync, "fsync_commits": fsync_n, "fsync_dir": fsync_dir,
            "fsync_again_commits_per_s": fsync_again,
            "postgres_chained_commits_per_s": chain.map(|c| c.0),
            "postgres_plain_commits_per_s": chain.map(|c| c.1),
        },
        "operations": rows,
        "checks": {
            "patients_stored": found.patients, "patients_answered_201": expected_patients,
            "appointments_stored": found.appointments, "appointments_answered_201": expected_appointments,
            "practitioner_overlaps": found.practitioner_overlaps, "patient_overlaps": found.patient_overlaps,
        },
        "table": table,
        "valid": valid,
        "invalid_reasons": invalid,
        "steady": unsteady.is_empty(),
        "unsteady_reasons": unsteady,
    }))
}

/// How far a ceiling measured again at the end may be from the first measurement for
/// the run's ratios to count as taken on a machine that held still.
const STEADY_WITHIN: f64 = 0.2;

/// Each ceiling (name, unit, first, again) that moved by more than `STEADY_WITHIN` of
/// its first measurement, in words. On a shared host `/healthz` has measured 3,200 and
/// 50,500 req/s in two runs minutes apart (tenth session): a ratio to a ceiling taken
/// under other conditions than the operation says nothing about the code.
fn unsteady_ceilings(ceilings: &[(&str, &str, f64, f64)]) -> Vec<String> {
    ceilings
        .iter()
        .filter_map(|(name, unit, first, again)| {
            let change = (again - first) / first;
            // A ceiling that measured nothing (0: the change is infinite or NaN) moved.
            let steady = *first > 0.0 && change.abs() <= STEADY_WITHIN;
            (!steady).then(|| {
                format!(
                    "{name}: {} {unit} first, {} {unit} at the end ({:+.0} %)",
                    thousands(*first),
                    thousands(*again),
                    100.0 * change
                )
            })
        })
        .collect()
}

/// The server's environment (and `dermachart user create`'s).
fn app_env(cmd: &mut Command, database_url: &str, work: &Path) {
    cmd.env("DATABASE_URL", database_url)
        .env("MEDIA_DIR", work.join("media"))
        .env("AUDIT_KEY_FILE", work.join("audit.key"))
        .env("CLINIC_TIMEZONE", "UTC")
        .env("FRONTEND_DIR", work.join("no-ui"))
        .env("BENCH_ADMIN_PASSWORD", PASSWORD)
        .env_remove("PUBLIC_URL")
        .env_remove("SMTP_URL");
}

/// Starts `dermachart serve` pinned to the server CPU (logs appended to `server.log`)
/// and waits until it answers `/healthz`.
async fn start_server(
    args: &Args,
    bin: &Path,
    work: &Path,
    database_url: &str,
    port: u16,
    api: &Api,
) -> anyhow::Result<Server> {
    let log = work.join("server.log");
    let append = |path: PathBuf| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
    };
    let mut serve = Command::new("taskset");
    serve
        .arg("-c")
        .arg(args.server_cpu.to_string())
        .arg(bin)
        .arg("serve")
        .env("BIND", format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(append(log.clone())?)
        .stderr(append(work.join("server.stderr"))?);
    app_env(&mut serve, database_url, work);
    let mut server = Server {
        child: serve.spawn().context("start the server")?,
        log,
    };
    let t = Instant::now();
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            bail!("the server exited ({status}):\n{}", server.log_tail());
        }
        let up = api.http.get(format!("{}/healthz", api.base)).send().await;
        if up.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        if t.elapsed() > StdDuration::from_secs(120) {
            bail!("the server did not answer /healthz:\n{}", server.log_tail());
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    Ok(server)
}

/// A folder on PostgreSQL's data disk for the fsync loop: the work folder when it is on
/// the same device, else beside the data directory (when reachable), else the work folder.
fn postgres_disk(database_url: &str, work: &Path) -> PathBuf {
    let data = diesel::PgConnection::establish(database_url)
        .ok()
        .and_then(|mut c| {
            diesel::sql_query("SELECT current_setting('data_directory') AS value")
                .load::<Setting>(&mut c)
                .ok()
        })
        .and_then(|rows| rows.into_iter().next())
        .map(|s| PathBuf::from(s.value));
    let Some(data) = data else {
        return work.to_path_buf();
    };
    let dev = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    match (dev(&data), dev(work)) {
        (Some(a), Some(b)) if a == b => work.to_path_buf(),
        (Some(_), _) => data
            .parent()
            .filter(|d| tempfile::tempfile_in(d).is_ok())
            .map_or_else(|| work.to_path_buf(), Path::to_path_buf),
        _ => work.to_path_buf(),
    }
}
