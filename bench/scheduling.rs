//! Scheduling benchmark: availability latency over a full calendar, and booking
//! throughput through the real HTTP stack, on whichever backend the URL names.
//!
//!   cargo run --release --example bench-scheduling -- --database-url sqlite:///tmp/sched.db
//!
//! Not a test: figures go to docs/benchmarks.md with the machine and method.
#![expect(
    clippy::expect_used,
    reason = "a benchmark stops at its first broken step"
)]
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, TimeZone, Utc};
use clap::Parser;
use serde_json::{json, Value};

use dermachart::config::Settings;
use dermachart::startup::Application;

#[derive(Parser)]
struct Args {
    /// A fresh database (it is filled by the benchmark).
    #[arg(long)]
    database_url: String,
    /// Appointments already on the calendar before measuring.
    #[arg(long, default_value_t = 3000)]
    existing: usize,
    /// Availability queries timed.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Concurrent booking clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Bookings each client makes.
    #[arg(long, default_value_t = 50)]
    per_client: usize,
}

fn pct(sorted: &[StdDuration], p: f64) -> StdDuration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

struct Api {
    base: String,
    http: reqwest::Client,
    token: String,
}

impl Api {
    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut settings = Settings::with_database_url(&args.database_url);
    settings.bind = "127.0.0.1:0".into();
    settings.clinic_timezone = chrono_tz::Tz::UTC;
    let pool = dermachart::startup::prepare_database(&settings)?;
    let password = "benchmark admin passphrase";
    for (role, email) in [
        (dermachart::domain::role::Role::Admin, "admin@bench.test"),
        (
            dermachart::domain::role::Role::Practitioner,
            "p1@bench.test",
        ),
        (
            dermachart::domain::role::Role::Practitioner,
            "p2@bench.test",
        ),
    ] {
        let pool = pool.clone();
        tokio::task::spawn_blocking(move || {
            dermachart::demo::create_staff_user(&pool, role, email, password, None)
        })
        .await??;
    }
    let app = tokio::task::spawn_blocking(move || Application::build(settings, None)).await??;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "admin@bench.test", "password": password}))
        .send()
        .await?
        .json()
        .await?;
    let api = Arc::new(Api {
        base,
        http,
        token: login["token"].as_str().unwrap_or_default().to_owned(),
    });

    let (_, loc) = api
        .post("/api/v1/locations", &json!({"name": "Bench clinic"}))
        .await;
    for name in ["Room 1", "Room 2"] {
        api.post(
            "/api/v1/rooms",
            &json!({"location_id": loc["id"], "name": name}),
        )
        .await;
    }
    let users: Value = api
        .http
        .get(format!("{}/api/v1/users?limit=10", api.base))
        .bearer_auth(&api.token)
        .send()
        .await?
        .json()
        .await?;
    let mut practitioners = Vec::new();
    for u in users["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|u| u["role"] == "practitioner")
    {
        let (_, p) = api
            .post(
                "/api/v1/practitioners",
                &json!({"user_id": u["id"], "display_name": u["display_name"]}),
            )
            .await;
        let week: Vec<Value> = (1..=7).map(|d| json!({"weekday": d, "start": "00:00", "end": "24:00", "location_id": loc["id"]})).collect();
        api.http
            .put(format!(
                "{}/api/v1/practitioners/{}/working-hours",
                api.base,
                p["id"].as_str().unwrap_or_default()
            ))
            .bearer_auth(&api.token)
            .json(&week)
            .send()
            .await?;
        practitioners.push(p["id"].as_str().unwrap_or_default().to_owned());
    }
    let (_, service) = api
        .post(
            "/api/v1/services",
            &json!({"name": "Consultation", "duration_minutes": 30, "buffer_minutes": 15}),
        )
        .await;
    let service = service["id"].as_str().unwrap_or_default().to_owned();
    let patient_count = args.clients.max(1) * 2 + 2;
    let mut patients = Vec::new();
    for i in 0..patient_count {
        let (_, p) = api.post("/api/v1/patients", &json!({"given_name": format!("Bench{i}"), "family_name": "Patient", "date_of_birth": "1980-01-01"})).await;
        patients.push(p["id"].as_str().unwrap_or_default().to_owned());
    }
    let start = Utc.from_utc_datetime(
        &(Utc::now().date_naive() + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default(),
    );

    // Fill the first practitioner's calendar densely: one 45-minute hold every 90 minutes.
    let t = Instant::now();
    for i in 0..args.existing {
        let at = start + Duration::minutes(90 * i as i64);
        api.post(
            "/api/v1/appointments",
            &json!({"patient_id": patients[i % patients.len()], "practitioner_id": practitioners[0],
            "service_id": service, "starts_at": at.to_rfc3339()}),
        )
        .await;
    }
    let filled = t.elapsed();
    println!(
        "pre-filled {} appointments sequentially in {:.1?} ({:.0}/s)",
        args.existing,
        filled,
        args.existing as f64 / filled.as_secs_f64()
    );

    // Availability: a week's window, one practitioner, calendar full around it.
    let mut times = Vec::new();
    let mut slots = 0usize;
    for i in 0..args.queries {
        let from = start + Duration::days((i % 14) as i64);
        let url = format!(
            "{}/api/v1/availability?service_id={service}&practitioner_id={}&from={}&to={}",
            api.base,
            practitioners[0],
            from.to_rfc3339().replace('+', "%2B"),
            (from + Duration::days(7)).to_rfc3339().replace('+', "%2B")
        );
        let t = Instant::now();
        let v: Value = api
            .http
            .get(&url)
            .bearer_auth(&api.token)
            .send()
            .await?
            .json()
            .await?;
        times.push(t.elapsed());
        slots += v["items"].as_array().map_or(0, Vec::len);
    }
    times.sort();
    println!("| availability, 7-day window, full calendar | n={} | p50 {:.2?} | p95 {:.2?} | max {:.2?} | {:.0} slots/answer |",
        args.queries, pct(&times, 0.5), pct(&times, 0.95), times[times.len() - 1], slots as f64 / args.queries as f64);

    // Booking throughput: clients booking distinct free slots of the second practitioner.
    let t = Instant::now();
    let mut tasks = Vec::new();
    let lat = Arc::new(std::sync::Mutex::new(Vec::new()));
    for (c, patient) in patients.iter().take(args.clients).enumerate() {
        let (api, service, prac, lat) = (
            api.clone(),
            service.clone(),
            practitioners[1].clone(),
            lat.clone(),
        );
        let patient = patient.clone();
        let per = args.per_client;
        let clients = args.clients;
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for k in 0..per {
                let slot = (k * clients + c) as i64;
                let at = start + Duration::days(400) + Duration::minutes(45 * slot);
                let t = Instant::now();
                let (status, _) = api
                    .post(
                        "/api/v1/appointments",
                        &json!({"patient_id": patient, "practitioner_id": prac,
                    "service_id": service, "starts_at": at.to_rfc3339()}),
                    )
                    .await;
                lat.lock().map(|mut l| l.push(t.elapsed())).ok();
                if status == 201 {
                    ok += 1;
                }
            }
            ok
        }));
    }
    let mut ok = 0;
    for task in tasks {
        ok += task.await?;
    }
    let took = t.elapsed();
    let mut l = lat.lock().map(|l| l.clone()).unwrap_or_default();
    l.sort();
    println!("| booking, {} clients, distinct slots | {} booked in {:.2?} | {:.0} bookings/s | p50 {:.2?} | p95 {:.2?} |",
        args.clients, ok, took, ok as f64 / took.as_secs_f64(), pct(&l, 0.5), pct(&l, 0.95));

    // Contention: every client at the same slot, 20 rounds.
    let t = Instant::now();
    let mut created = 0;
    let mut refused = 0;
    for round in 0..20 {
        let at = start + Duration::days(800) + Duration::minutes(45 * round);
        let mut tasks = Vec::new();
        for c in 0..args.clients {
            let (api, service, prac, patient) = (
                api.clone(),
                service.clone(),
                practitioners[1].clone(),
                patients[args.clients + c].clone(),
            );
            tasks.push(tokio::spawn(async move {
                api.post("/api/v1/appointments", &json!({"patient_id": patient, "practitioner_id": prac, "service_id": service, "starts_at": at.to_rfc3339()})).await.0
            }));
        }
        for task in tasks {
            match task.await? {
                201 => created += 1,
                409 => refused += 1,
                other => println!("unexpected status {other}"),
            }
        }
    }
    println!("| contention, {} clients × 20 rounds on one slot | {} created, {} refused (409), in {:.2?} |", args.clients, created, refused, t.elapsed());
    Ok(())
}
