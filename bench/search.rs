//! Patient-search benchmark: seeds N synthetic patients into a database and times
//! `patients::search` for each kind of query, on whichever backend the URL names.
//!
//!   cargo run --release --example bench-search -- --database-url sqlite:///tmp/bench.db --patients 1000000
//!
//! Not a test: figures go to docs/benchmarks.md with the machine and method.
#![expect(
    clippy::expect_used,
    reason = "a benchmark stops at its first broken step"
)]
use std::time::{Duration, Instant};

use clap::Parser;
use diesel::connection::SimpleConnection;
use rand::{Rng, SeedableRng};

use dermachart::config::Settings;
use dermachart::db::{Backend, DbConnection};
use dermachart::domain::patient::SearchTerms;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 1_000_000)]
    patients: usize,
    /// Queries timed per kind.
    #[arg(long, default_value_t = 200)]
    queries: usize,
}

const GIVEN: &[&str] = &[
    "amelia", "sofia", "grace", "hannah", "mei", "olivia", "james", "priya", "lucia", "daniel",
    "aisha", "claire", "noah", "emma", "liam", "ava", "mia", "ethan", "zoe", "ivan",
];
const FAMILY_STEMS: &[&str] = &[
    "hart",
    "marino",
    "okafor",
    "schmidt",
    "tanaka",
    "bennett",
    "whitfield",
    "raman",
    "fernandez",
    "novak",
    "bello",
    "dubois",
    "smith",
    "jones",
    "brown",
    "taylor",
    "wilson",
    "evans",
    "walker",
    "khan",
];

fn family(i: usize) -> String {
    // Many distinct surnames, as a real register has.
    format!(
        "{}{}",
        FAMILY_STEMS[i % FAMILY_STEMS.len()],
        i / FAMILY_STEMS.len() % 5000
    )
}

fn seed(conn: &mut DbConnection, n: usize) {
    let backend = conn.backend();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let started = Instant::now();
    let chunk = 5000;
    let mut i = 0;
    while i < n {
        let mut values = Vec::with_capacity(chunk);
        for j in i..(i + chunk).min(n) {
            let id = uuid::Uuid::now_v7();
            let id_sql = match backend {
                Backend::Postgres => format!("'{id}'"),
                Backend::Sqlite => format!("X'{}'", id.simple()),
            };
            let given = GIVEN[rng.gen_range(0..GIVEN.len())];
            let fam = family(rng.gen_range(0..n.max(1)));
            let dob = format!(
                "{}-{:02}-{:02}",
                rng.gen_range(1940..2005),
                rng.gen_range(1..13),
                rng.gen_range(1..29)
            );
            let phone = format!("4420{:08}", j);
            let created = format!("2026-01-01 00:00:00.{:06}", j % 1_000_000);
            values.push(format!(
                "({id_sql}, 'DC-{j:09}', '{g}', '{f}', '{dob}', '+{phone}', '{g}.{f}@example.org', '[]', '[]', \
                 {false_}, '{g}', '{f}', '{g}.{f}@example.org', '{phone}', 1, '{created}', '{created}')",
                g = given,
                f = fam,
                false_ = if backend == Backend::Postgres { "false" } else { "0" },
            ));
        }
        let sql = format!(
            "INSERT INTO patients (id, mrn, given_name, family_name, date_of_birth, phone, email, allergies, medications, \
             archived, given_name_search, family_name_search, email_search, phone_search, version, created_at, updated_at) VALUES {}",
            values.join(",")
        );
        conn.batch_execute(&sql).expect("seed chunk");
        i += chunk;
    }
    println!("seeded {n} patients in {:.1?}", started.elapsed());
}

type QueryMaker<'a> = Box<dyn Fn(&mut rand::rngs::StdRng) -> String + 'a>;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let settings = Settings::with_database_url(&args.database_url);
    let pool = dermachart::startup::prepare_database(&settings)?;
    let mut conn = pool.get()?;
    let existing = dermachart::db::models::patients::search(&mut conn, None, true, None, 1)?.len();
    if existing == 0 {
        seed(&mut conn, args.patients);
        if conn.backend() == Backend::Postgres {
            conn.batch_execute("ANALYZE patients")?;
        } else {
            conn.batch_execute("ANALYZE")?;
        }
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let kinds: Vec<(&str, QueryMaker)> = vec![
        (
            "family name prefix (4 chars)",
            Box::new(|r| family(r.gen_range(0..args.patients))[..4].to_owned()),
        ),
        (
            "full family name",
            Box::new(|r| family(r.gen_range(0..args.patients))),
        ),
        (
            "given + family",
            Box::new(|r| {
                format!(
                    "{} {}",
                    GIVEN[r.gen_range(0..GIVEN.len())],
                    family(r.gen_range(0..args.patients))
                )
            }),
        ),
        (
            "MRN prefix",
            Box::new(|r| format!("DC-{:07}", r.gen_range(0..args.patients / 100))),
        ),
        (
            "phone prefix",
            Box::new(|r| format!("+4420{:06}", r.gen_range(0..args.patients / 100))),
        ),
        (
            "date of birth",
            Box::new(|r| {
                format!(
                    "{}-{:02}-{:02}",
                    r.gen_range(1940..2005),
                    r.gen_range(1..13),
                    r.gen_range(1..29)
                )
            }),
        ),
        (
            "no match",
            Box::new(|r| format!("qq{}", r.gen_range(0..1000))),
        ),
    ];
    println!("| query | n | p50 | p95 | max | mean rows |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, make) in &kinds {
        let mut times = Vec::with_capacity(args.queries);
        let mut rows = 0usize;
        for _ in 0..args.queries {
            let q = make(&mut rng);
            let terms = SearchTerms::parse(&q);
            let started = Instant::now();
            let found = dermachart::db::models::patients::search(
                &mut conn,
                terms.as_ref(),
                false,
                None,
                51,
            )?;
            times.push(started.elapsed());
            rows += found.len();
        }
        times.sort();
        println!(
            "| {name} | {} | {:.2?} | {:.2?} | {:.2?} | {:.1} |",
            args.queries,
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times[times.len() - 1],
            rows as f64 / args.queries as f64
        );
    }
    Ok(())
}
