//! Bulk history for the large-scale run (issue 13): patients and past appointments
//! generated inside the database by `INSERT … SELECT` over a numbered series, in big
//! transactions, with every CHECK, foreign key, trigger and exclusion constraint of the
//! schema left on (nothing is bypassed). Used by `bench-seed` (bench/seed.rs) and by
//! `bench-http --seeded-large` (bench/http.rs).
//!
//! The schedule is non-overlapping by construction, and the database checks it again:
//! appointment k (0 ≤ k < A) sits in slot t = k div P of practitioner j = k mod P (P
//! practitioners), slot t being the (t mod 50)-th start of week t div 50 of the history
//! (Monday–Friday at 08:00, 09:00, …, 17:00, UTC), so one practitioner holds at most one
//! appointment a slot, and slots are 60 minutes apart while a hold (the service's
//! duration + buffer) must be at most 60 minutes. No appointment takes a room (the
//! service they use requires none, as the bench's own service; it also spares
//! PostgreSQL a third GiST exclusion index to fill, the costliest part of the load).
//! The patient is k mod N (N bulk patients ≥ P): the P appointments of one slot have P
//! distinct patients, and a patient's visits in different slots are an hour apart or
//! more. The history ends before the Monday of the current week: every appointment is
//! in the past, with status completed (85 %), cancelled (8 %) or no_show (7 %).
//!
//! Ids: PostgreSQL gets time-ordered (v7-shaped) UUIDs built from the row's time and
//! number; SQLite (3.40 on this machine: no `unhex`) gets `randomblob(16)` ids, which
//! the application reads as UUIDs like any other 16 bytes.
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use serde::Serialize;

/// Starts a day (08:00 … 17:00) and days a week (Monday–Friday).
const SLOTS_PER_DAY: i64 = 10;
const FIRST_HOUR: i64 = 8;
const DAYS_PER_WEEK: i64 = 5;
const SLOTS_PER_WEEK: i64 = SLOTS_PER_DAY * DAYS_PER_WEEK;
const SLOT_SECONDS: i64 = 3600;
/// Rows per transaction.
const PATIENT_CHUNK: i64 = 250_000;
const APPOINTMENT_CHUNK: i64 = 1_000_000;

const GIVEN: [&str; 32] = [
    "Amelia", "Olivia", "Isla", "Ava", "Mia", "Grace", "Noah", "Oliver", "Leo", "Arthur", "Harry",
    "Freya", "Sofia", "Lily", "Ivy", "Emily", "George", "Jack", "Oscar", "Charlie", "Muhammad",
    "Henry", "Thomas", "Alfie", "Ella", "Rosie", "Poppy", "Willow", "Theo", "Finley", "Archie",
    "Evie",
];
const FAMILY: [&str; 40] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Wright", "Evans", "Walker", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green",
    "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill",
    "Scott", "Cooper", "Morris", "Ward", "Moore", "King", "Watson", "Baker", "Harrison", "Morgan",
    "Khan", "Nowak",
];

/// What to add.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub patients: i64,
    pub appointments: i64,
    /// The history spans about this many years: practitioners are added (beyond those in
    /// the database) until P × 2,609 slots a year × years holds every appointment.
    pub years: f64,
}

/// What was added, and how long it took.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub backend: &'static str,
    pub patients: i64,
    pub appointments: i64,
    pub practitioners: i64,
    pub practitioners_added: i64,
    /// Inclusive start and exclusive end of the history (UTC, `YYYY-MM-DD HH:MM:SS`).
    pub history_from: String,
    pub history_to: String,
    pub seconds_patients: f64,
    pub seconds_appointments: f64,
    pub seconds_analyze: f64,
    pub seconds_total: f64,
    /// The database's size afterwards (SQLite: the file and its WAL; PostgreSQL:
    /// `pg_database_size`).
    pub database_bytes: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
}

enum Conn {
    Sqlite(SqliteConnection, String),
    Postgres(PgConnection),
}

#[derive(QueryableByName)]
struct Text1 {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

#[derive(QueryableByName)]
struct Int1 {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct ServiceRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    duration: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    buffer: i32,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    requires_room: bool,
}

impl Conn {
    fn open(url: &str) -> anyhow::Result<Conn> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let c = PgConnection::establish(url).with_context(|| format!("connect to {url}"))?;
            Ok(Conn::Postgres(c))
        } else {
            let path = url.trim_start_matches("sqlite://").to_owned();
            let c = SqliteConnection::establish(&path).with_context(|| format!("open {path}"))?;
            Ok(Conn::Sqlite(c, path))
        }
    }
    fn kind(&self) -> Kind {
        match self {
            Conn::Sqlite(..) => Kind::Sqlite,
            Conn::Postgres(_) => Kind::Postgres,
        }
    }
    fn batch(&mut self, sql: &str) -> anyhow::Result<()> {
        match self {
            Conn::Sqlite(c, _) => c.batch_execute(sql),
            Conn::Postgres(c) => c.batch_execute(sql),
        }
        .with_context(|| sql.chars().take(300).collect::<String>())
    }
    fn exec(&mut self, sql: &str) -> anyhow::Result<usize> {
        let q = diesel::sql_query(sql);
        match self {
            Conn::Sqlite(c, _) => q.execute(c),
            Conn::Postgres(c) => q.execute(c),
        }
        .with_context(|| sql.chars().take(300).collect::<String>())
    }
    /// The rows a query answers, on either backend.
    fn load<T>(&mut self, sql: &str) -> anyhow::Result<Vec<T>>
    where
        T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
    {
        let q = diesel::sql_query(sql);
        match self {
            Conn::Sqlite(c, _) => q.load(c),
            Conn::Postgres(c) => q.load(c),
        }
        .with_context(|| sql.to_owned())
    }
    fn texts(&mut self, sql: &str) -> anyhow::Result<Vec<String>> {
        Ok(self.load::<Text1>(sql)?.into_iter().map(|r| r.t).collect())
    }
    fn int(&mut self, sql: &str) -> anyhow::Result<i64> {
        self.load::<Int1>(sql)?
            .first()
            .map(|r| r.n)
            .ok_or_else(|| anyhow!("no row: {sql}"))
    }
    fn service(&mut self, sql: &str) -> anyhow::Result<Option<ServiceRow>> {
        Ok(self.load::<ServiceRow>(sql)?.into_iter().next())
    }
    /// An id column as text that `Uuid::parse_str` reads.
    fn id_text(&self, column: &str) -> String {
        match self.kind() {
            Kind::Sqlite => format!("hex({column})"),
            Kind::Postgres => format!("CAST({column} AS TEXT)"),
        }
    }
    /// A UUID literal.
    fn lit(&self, id: uuid::Uuid) -> String {
        match self.kind() {
            Kind::Sqlite => format!("x'{}'", id.simple()),
            Kind::Postgres => format!("'{id}'::uuid"),
        }
    }
    fn size(&mut self) -> anyhow::Result<u64> {
        match self {
            Conn::Sqlite(_, path) => Ok(["", "-wal"]
                .iter()
                .filter_map(|s| std::fs::metadata(format!("{path}{s}")).ok())
                .map(|m| m.len())
                .sum()),
            Conn::Postgres(_) => {
                Ok(self.int("SELECT pg_database_size(current_database()) AS n")? as u64)
            }
        }
    }
}

/// The repository and its target folder (`CARGO_TARGET_DIR`, or `target/`).
pub fn repo_and_target() -> (std::path::PathBuf, std::path::PathBuf) {
    let manifest = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| manifest.join("target"));
    (manifest, target)
}

/// The dermachart binary the tools run: the one given, or target/release/dermachart,
/// built first (`cargo build --release --bin dermachart`, a no-op when up to date).
pub fn server_binary(given: Option<&std::path::Path>) -> anyhow::Result<std::path::PathBuf> {
    if let Some(bin) = given {
        return Ok(bin.to_path_buf());
    }
    let (manifest, target) = repo_and_target();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(&manifest)
        .args(["build", "--release", "--bin", "dermachart"])
        .output()?;
    if !out.status.success() {
        bail!(
            "cargo build --release --bin dermachart failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(target.join("release").join("dermachart"))
}

fn ts(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Crockford base32 MRN `DC-XXXX-XXXX` of the 40-bit value `v` (an SQL expression).
fn mrn_sql(v: &str) -> String {
    let chars: Vec<String> = (0..8)
        .map(|i| {
            format!(
                "substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', CAST((({v}) >> {}) & 31 AS INTEGER) + 1, 1)",
                35 - 5 * i
            )
        })
        .collect();
    format!(
        "'DC-' || {} || '-' || {}",
        chars[..4].join(" || "),
        chars[4..].join(" || ")
    )
}

/// SQL timestamp of `secs` (an SQL expression of Unix seconds).
fn at_sql(kind: Kind, secs: &str) -> String {
    match kind {
        Kind::Sqlite => format!("datetime({secs}, 'unixepoch')"),
        Kind::Postgres => format!("(to_timestamp({secs}) AT TIME ZONE 'UTC')"),
    }
}

/// A time-ordered UUID on PostgreSQL from Unix seconds and a number unique per table.
fn pg_uuid(secs: &str, n: &str) -> String {
    format!(
        "(lpad(to_hex(({secs}) * 1000), 12, '0') || '7' || lpad(to_hex(({n}) % 4096), 3, '0') \
         || '8' || lpad(to_hex({n}), 15, '0'))::uuid"
    )
}

/// A series k in [lo, hi) as a FROM item named `s(k)`.
fn series(kind: Kind, lo: i64, hi: i64) -> (String, String) {
    match kind {
        Kind::Sqlite => (
            format!(
                "WITH RECURSIVE s(k) AS (SELECT {lo} UNION ALL SELECT k + 1 FROM s WHERE k + 1 < {hi}) "
            ),
            "s".to_owned(),
        ),
        Kind::Postgres => (
            String::new(),
            format!("generate_series({lo}::bigint, {}::bigint) AS s(k)", hi - 1),
        ),
    }
}

/// Adds `plan` to the migrated database at `url` (`sqlite://PATH`, a path, or
/// `postgres://…`). Uses the practitioners and the first service there, adding
/// practitioners as the plan needs and a 30 + 15 minute service if there is none. `progress` gets
/// a phase name and a fraction done.
pub fn seed(url: &str, plan: Plan, progress: &mut dyn FnMut(&str, f64)) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut c = Conn::open(url)?;
    let kind = c.kind();
    if plan.patients < 1 || plan.appointments < 0 {
        bail!("patients must be ≥ 1 and appointments ≥ 0");
    }
    match kind {
        Kind::Sqlite => c.batch(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 60000; PRAGMA synchronous = OFF; \
             PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY;",
        )?,
        // Only this session's commits are asynchronous (a crash loses the seeding, not
        // the database); the constraints stay.
        Kind::Postgres => c.batch(
            "SET synchronous_commit = off; SET maintenance_work_mem = '512MB'; SET work_mem = '256MB';",
        )?,
    }
    let now = Utc::now().naive_utc();
    let today = now.date();
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let history_to = this_monday.and_time(NaiveTime::MIN);
    let past = c.int(&format!(
        "SELECT COUNT(*) AS n FROM appointments WHERE starts_at < '{}'",
        ts(history_to)
    ))?;
    if past > 0 {
        bail!("the database already holds {past} appointments before {history_to}: history is seeded once, into a database without a past");
    }

    // The clinic: service, practitioners (existing first, by creation).
    let service = match c.service(&format!(
        "SELECT {} AS id, duration_minutes AS duration, buffer_minutes AS buffer, requires_room \
         FROM services ORDER BY created_at, id LIMIT 1",
        c.id_text("id")
    ))? {
        Some(s) => s,
        None => {
            let id = uuid::Uuid::now_v7();
            c.exec(&format!(
                "INSERT INTO services (id, name, duration_minutes, buffer_minutes, requires_room, consent_template_id, \
                 follow_up_days, follow_up_service_id, patient_bookable, version, created_at, updated_at) \
                 VALUES ({}, 'Consultation', 30, 15, FALSE, NULL, '[]', NULL, FALSE, 1, '{n}', '{n}')",
                c.lit(id),
                n = ts(now)
            ))?;
            ServiceRow {
                id: id.simple().to_string(),
                duration: 30,
                buffer: 15,
                requires_room: false,
            }
        }
    };
    if service.requires_room {
        bail!("the first service requires a room; the history takes none");
    }
    let service_id = uuid::Uuid::parse_str(&service.id)?;
    let visit = i64::from(service.duration) * 60;
    let hold = visit + i64::from(service.buffer) * 60;
    if hold > SLOT_SECONDS || FIRST_HOUR * 3600 + SLOTS_PER_DAY * SLOT_SECONDS > 86_400 {
        bail!("the first service holds {hold} s, more than the {SLOT_SECONDS} s slot grid");
    }
    let existing: Vec<uuid::Uuid> = c
        .texts(&format!(
            "SELECT {} AS t FROM practitioners ORDER BY created_at, id",
            c.id_text("id")
        ))?
        .iter()
        .map(|s| uuid::Uuid::parse_str(s))
        .collect::<Result<_, _>>()?;
    let slots_per_year = (365.2425 / 7.0 * SLOTS_PER_WEEK as f64).floor();
    let needed = (plan.appointments as f64 / (plan.years.max(0.01) * slots_per_year)).ceil() as i64;
    let p_total = needed.max(existing.len() as i64).max(1);
    if p_total > plan.patients {
        bail!("{p_total} practitioners need at least as many patients (one slot's patients are distinct)");
    }
    let slots = (plan.appointments + p_total - 1) / p_total;
    let weeks = (slots + SLOTS_PER_WEEK - 1) / SLOTS_PER_WEEK;
    let history_from = history_to - Duration::weeks(weeks);
    let start = history_from.and_utc().timestamp();

    progress("clinic: practitioners", 0.0);
    c.batch("BEGIN")?;
    let mut practitioners = existing.clone();
    let nows = ts(now);
    for j in existing.len() as i64..p_total {
        let user = uuid::Uuid::now_v7();
        let id = uuid::Uuid::now_v7();
        c.exec(&format!(
            "INSERT INTO users (id, email, display_name, role, password_hash, active, patient_id, totp_secret, \
             totp_confirmed, totp_last_step, version, created_at, updated_at) VALUES ({}, 'history{j}@bench.example', \
             'Dr History {j}', 'practitioner', '!no login (bench history)', TRUE, NULL, NULL, FALSE, NULL, 1, '{nows}', '{nows}')",
            c.lit(user)
        ))?;
        c.exec(&format!(
            "INSERT INTO practitioners (id, user_id, display_name, title, created_at) VALUES ({}, {}, 'Dr History {j}', NULL, '{nows}')",
            c.lit(id),
            c.lit(user)
        ))?;
        practitioners.push(id);
    }
    c.batch(match kind {
        Kind::Sqlite => {
            "DROP TABLE IF EXISTS temp.bench_prac; DROP TABLE IF EXISTS temp.bench_pat; \
             CREATE TEMP TABLE bench_prac (j INTEGER PRIMARY KEY, id BLOB NOT NULL); \
             CREATE TEMP TABLE bench_pat (n INTEGER PRIMARY KEY, id BLOB NOT NULL); \
             CREATE TEMP TABLE bench_given (i INTEGER PRIMARY KEY, name TEXT NOT NULL); \
             CREATE TEMP TABLE bench_family (i INTEGER PRIMARY KEY, name TEXT NOT NULL);"
        }
        Kind::Postgres => {
            "DROP TABLE IF EXISTS bench_prac; DROP TABLE IF EXISTS bench_pat; \
             CREATE TEMP TABLE bench_prac (j BIGINT PRIMARY KEY, id UUID NOT NULL); \
             CREATE TEMP TABLE bench_pat (n BIGINT PRIMARY KEY, id UUID NOT NULL); \
             CREATE TEMP TABLE bench_given (i BIGINT PRIMARY KEY, name TEXT NOT NULL); \
             CREATE TEMP TABLE bench_family (i BIGINT PRIMARY KEY, name TEXT NOT NULL);"
        }
    })?;
    for (j, id) in practitioners.iter().enumerate() {
        c.exec(&format!(
            "INSERT INTO bench_prac (j, id) VALUES ({j}, {})",
            c.lit(*id)
        ))?;
    }
    for (table, names) in [("bench_given", &GIVEN[..]), ("bench_family", &FAMILY[..])] {
        let values: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("({i}, '{n}')"))
            .collect();
        c.exec(&format!(
            "INSERT INTO {table} (i, name) VALUES {}",
            values.join(", ")
        ))?;
    }
    c.batch("COMMIT")?;

    // Patients: numbered after those already there (the MRN is a bijection of the number).
    let t = Instant::now();
    let n0 = c.int("SELECT COUNT(*) AS n FROM patients")?;
    let created0 = start - 30 * 86_400 - plan.patients;
    let mut lo = 0;
    while lo < plan.patients {
        let hi = (lo + PATIENT_CHUNK).min(plan.patients);
        progress("patients", lo as f64 / plan.patients as f64);
        let (with, from) = series(kind, lo, hi);
        let id = match kind {
            Kind::Sqlite => "randomblob(16)".to_owned(),
            Kind::Postgres => pg_uuid(&format!("{created0} + k"), &format!("{n0} + k")),
        };
        let created = at_sql(kind, &format!("{created0} + n"));
        let mrn = mrn_sql(&format!(
            "((n + {n0}) * 25214903917 + 387420489123) & 1099511627775"
        ));
        let dob = match kind {
            Kind::Sqlite => {
                "printf('%04d-%02d-%02d', 1930 + n % 80, 1 + n % 12, 1 + n % 28)".to_owned()
            }
            Kind::Postgres => {
                "make_date(1930 + (n % 80)::int, 1 + (n % 12)::int, 1 + (n % 28)::int)".to_owned()
            }
        };
        let digits = match kind {
            Kind::Sqlite => "printf('%06d', n % 1000000)".to_owned(),
            Kind::Postgres => "lpad((n % 1000000)::text, 6, '0')".to_owned(),
        };
        c.batch("BEGIN")?;
        c.exec(&format!(
            "INSERT INTO bench_pat (n, id) {with}SELECT k, {id} FROM {from}"
        ))?;
        c.exec(&format!(
            "INSERT INTO patients (id, mrn, given_name, family_name, date_of_birth, sex, phone, email, address, \
             emergency_contact, allergies, medications, medical_history, fitzpatrick_type, archived, \
             given_name_search, family_name_search, email_search, phone_search, version, created_at, updated_at, \
             email_set_by, email_set_at) \
             SELECT p.id, {mrn}, g.name, f.name, {dob}, \
             CASE n % 2 WHEN 0 THEN 'female' ELSE 'male' END, '+44 7700 ' || {digits}, \
             'history' || (n + {n0}) || '@bench.example', NULL, NULL, '[]', '[]', NULL, 1 + n % 6, FALSE, \
             lower(g.name), lower(f.name), 'history' || (n + {n0}) || '@bench.example', '447700' || {digits}, \
             1, {created}, {created}, NULL, NULL \
             FROM bench_pat p JOIN bench_given g ON g.i = p.n % {ng} JOIN bench_family f ON f.i = (p.n / {ng}) % {nf} \
             WHERE p.n >= {lo} AND p.n < {hi}",
            ng = GIVEN.len(),
            nf = FAMILY.len(),
        ))?;
        c.batch("COMMIT")?;
        lo = hi;
    }
    let seconds_patients = t.elapsed().as_secs_f64();
    if kind == Kind::Postgres {
        c.batch("ANALYZE bench_pat; ANALYZE bench_prac;")?;
    }

    // Appointments, oldest first.
    let t = Instant::now();
    let n_pat = plan.patients;
    let mut lo = 0;
    while lo < plan.appointments {
        let hi = (lo + APPOINTMENT_CHUNK).min(plan.appointments);
        progress("appointments", lo as f64 / plan.appointments.max(1) as f64);
        let (with, from) = series(kind, lo, hi);
        let slot = format!("(k / {p_total})");
        let st_expr = format!(
            "{start} + ({slot} / {SLOTS_PER_WEEK}) * 604800 + (({slot} % {SLOTS_PER_WEEK}) / {SLOTS_PER_DAY}) * 86400 \
             + ({FIRST_HOUR} + {slot} % {SLOTS_PER_DAY}) * 3600"
        );
        let id = match kind {
            Kind::Sqlite => "randomblob(16)".to_owned(),
            Kind::Postgres => pg_uuid("x.st", "x.k"),
        };
        let at = |offset: i64| at_sql(kind, &format!("x.st + {offset}"));
        c.batch("BEGIN")?;
        c.exec(&format!(
            "INSERT INTO appointments (id, patient_id, practitioner_id, service_id, room_id, starts_at, ends_at, \
             blocked_until, status, notes, cancel_reason, follow_up_of, follow_up_offset_days, booked_by, version, \
             created_at, updated_at) \
             {with}SELECT {id}, pt.id, pr.id, {svc}, NULL, {s0}, {s1}, {s2}, \
             CASE WHEN x.h < 85 THEN 'completed' WHEN x.h < 93 THEN 'cancelled' ELSE 'no_show' END, NULL, \
             CASE WHEN x.h >= 85 AND x.h < 93 THEN 'Cancelled by the patient' END, NULL, NULL, NULL, 2, {cr}, {up} \
             FROM (SELECT k, {st_expr} AS st, k % {p_total} AS j, k % {n_pat} AS n, (k * 2654435761) % 100 AS h FROM {from}) x \
             JOIN bench_prac pr ON pr.j = x.j JOIN bench_pat pt ON pt.n = x.n \
             ORDER BY x.k",
            svc = c.lit(service_id),
            s0 = at(0),
            s1 = at(visit),
            s2 = at(hold),
            cr = at(-14 * 86_400),
            up = at(3600),
        ))?;
        c.batch("COMMIT")?;
        lo = hi;
    }
    let seconds_appointments = t.elapsed().as_secs_f64();

    progress("ANALYZE", 0.0);
    let t = Instant::now();
    match kind {
        Kind::Sqlite => c.batch(
            "DROP TABLE temp.bench_pat; DROP TABLE temp.bench_prac; DROP TABLE temp.bench_given; \
             DROP TABLE temp.bench_family; PRAGMA analysis_limit = 10000; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);",
        )?,
        // One statement a call: VACUUM cannot run in the implicit transaction of a
        // multi-statement query string.
        Kind::Postgres => {
            for sql in [
                "DROP TABLE bench_pat, bench_prac, bench_given, bench_family",
                "VACUUM (ANALYZE) patients",
                "VACUUM (ANALYZE) appointments",
                "ANALYZE users",
                "ANALYZE practitioners",
            ] {
                c.batch(sql)?;
            }
        }
    }
    let seconds_analyze = t.elapsed().as_secs_f64();
    let database_bytes = c.size()?;
    Ok(Outcome {
        backend: match kind {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
        },
        patients: plan.patients,
        appointments: plan.appointments,
        practitioners: p_total,
        practitioners_added: p_total - existing.len() as i64,
        history_from: ts(history_from),
        history_to: ts(history_to),
        seconds_patients,
        seconds_appointments,
        seconds_analyze,
        seconds_total: started.elapsed().as_secs_f64(),
        database_bytes,
    })
}
