//! Bulk seeding for the large-scale run (issue 13): 1,000,000 patients and 10,000,000
//! past appointments by default, into a SQLite file or a PostgreSQL database, migrated
//! first by the application's own binary (`dermachart migrate`).
//!
//!   cargo run --release --example bench-seed -- --database-url sqlite://target/large.db
//!   createdb -h 127.0.0.1 -U postgres dermachart_large
//!   cargo run --release --example bench-seed -- \
//!       --database-url postgres://postgres@127.0.0.1:5432/dermachart_large \
//!       [--patients 1000000] [--appointments 10000000] [--years 20]
//!
//! How the rows are made, and why they never overlap: bench/bulk.rs. `bench-http
//! --seeded-large` runs the same seeding inside its benchmark (docs/benchmarks.md).
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Parser;

mod bulk;

#[derive(Parser, Debug)]
#[command(about = "Bulk-seed patients and past appointments for the large-scale run (issue 13)")]
struct Args {
    /// `sqlite://PATH` (the file is created) or `postgres://…/DB` (the database must exist).
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[arg(long, default_value_t = 1_000_000)]
    patients: i64,
    #[arg(long, default_value_t = 10_000_000)]
    appointments: i64,
    /// About how many years the history spans (sets how many practitioners hold it).
    #[arg(long, default_value_t = 20.0)]
    years: f64,
    /// The dermachart binary that migrates the database (default: target/release/dermachart,
    /// built first when missing).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Where the JSON result goes.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (_, target) = bulk::repo_and_target();
    let bin = bulk::server_binary(args.server_bin.as_deref())?;
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let t = Instant::now();
    let out = Command::new(&bin)
        .arg("migrate")
        .env("DATABASE_URL", &args.database_url)
        .output()
        .with_context(|| format!("run {} migrate", bin.display()))?;
    if !out.status.success() {
        bail!(
            "{} migrate failed: {}{}",
            bin.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    println!("migrated ({:.1} s)", t.elapsed().as_secs_f64());
    let plan = bulk::Plan {
        patients: args.patients,
        appointments: args.appointments,
        years: args.years,
    };
    let mut last = String::new();
    let outcome = bulk::seed(&args.database_url, plan, &mut |phase, done| {
        let line = format!("{phase} {:.0} %", done * 100.0);
        if line != last {
            println!("  {line} ({:.0} s)", t.elapsed().as_secs_f64());
            std::io::stdout().flush().ok();
            last = line;
        }
    })?;
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{}: {} patients in {:.1} s, {} appointments in {:.1} s ({:.0}/s), ANALYZE {:.1} s, total {:.1} s; \
         {} practitioners ({} added), history {} .. {}; database {:.2} GB",
        outcome.backend,
        outcome.patients,
        outcome.seconds_patients,
        outcome.appointments,
        outcome.seconds_appointments,
        outcome.appointments as f64 / outcome.seconds_appointments.max(1e-9),
        outcome.seconds_analyze,
        outcome.seconds_total,
        outcome.practitioners,
        outcome.practitioners_added,
        outcome.history_from,
        outcome.history_to,
        outcome.database_bytes as f64 / 1e9
    );
    println!(
        "load average before {} after {}",
        load_before.trim(),
        load_after.trim()
    );
    let json_path = args
        .json
        .unwrap_or_else(|| target.join(format!("bench-seed-{}.json", outcome.backend)));
    let report = serde_json::json!({
        "tool": "bench-seed",
        "outcome": outcome,
        "loadavg_before": load_before.trim(),
        "loadavg_after": load_after.trim(),
    });
    std::fs::write(&json_path, serde_json::to_string_pretty(&report)?)?;
    println!("JSON: {}", json_path.display());
    Ok(())
}
