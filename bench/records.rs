//! Records benchmark: CSV import throughput, photo upload latency (a camera-sized
//! JPEG: checked, decoded, re-encoded, thumbnailed, stored) and FHIR export latency,
//! all through the real HTTP stack, on whichever backend the URL names.
//!
//!   cargo run --release --example bench-records -- --database-url sqlite:///tmp/records.db
//!
//! Not a test: figures go to docs/benchmarks.md with the machine and method.
#![expect(
    clippy::expect_used,
    reason = "a benchmark stops at its first broken step"
)]
use std::time::{Duration as StdDuration, Instant};

use clap::Parser;
use serde_json::{json, Value};

use dermachart::config::Settings;
use dermachart::domain::role::Role;
use dermachart::startup::Application;

#[derive(Parser)]
struct Args {
    /// A fresh database (it is filled by the benchmark).
    #[arg(long)]
    database_url: String,
    /// Rows in the CSV file imported.
    #[arg(long, default_value_t = 50_000)]
    rows: usize,
    /// Photos uploaded (one after another).
    #[arg(long, default_value_t = 20)]
    photos: usize,
    /// Width and height of each photo (12 MP by default, like a phone camera).
    #[arg(long, default_value_t = 4000)]
    photo_width: u32,
    #[arg(long, default_value_t = 3000)]
    photo_height: u32,
    /// FHIR exports timed.
    #[arg(long, default_value_t = 50)]
    exports: usize,
}

fn pct(sorted: &[StdDuration], p: f64) -> StdDuration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn summary(name: &str, mut times: Vec<StdDuration>) {
    times.sort();
    println!(
        "{name}: n={} p50={:.1?} p95={:.1?} max={:.1?}",
        times.len(),
        pct(&times, 0.5),
        pct(&times, 0.95),
        times[times.len() - 1]
    );
}

/// A photo-like JPEG (smooth gradients and texture, so it compresses like a face would).
fn camera_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let t = ((x * 7 + y * 13) % 17) as u8;
        image::Rgb([
            (180 + (x * 60 / w) as u8).saturating_add(t),
            (140 + (y * 50 / h) as u8).saturating_add(t),
            120u8.saturating_add(t),
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode");
    out.into_inner()
}

fn multipart(file: &[u8], taken_at: &str) -> (String, Vec<u8>) {
    let boundary = "benchboundary7d3f";
    let mut body = Vec::new();
    for (name, value) in [
        ("taken_at", taken_at),
        ("kind", "before"),
        ("view", "frontal"),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"face.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let media = tempfile::tempdir()?;
    let mut settings = Settings::with_database_url(&args.database_url);
    settings.bind = "127.0.0.1:0".into();
    settings.media_dir = media.path().to_owned();
    let pool = dermachart::startup::prepare_database(&settings)?;
    let password = "benchmark user passphrase";
    for (role, email) in [
        (Role::Admin, "admin@bench.test"),
        (Role::Practitioner, "doc@bench.test"),
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
    let token = |email: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let v: Value = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": email, "password": password}))
                .send()
                .await?
                .json()
                .await?;
            anyhow::Ok(v["token"].as_str().unwrap_or_default().to_owned())
        }
    };
    let admin = token("admin@bench.test").await?;
    let doc = token("doc@bench.test").await?;

    // CSV import: one file of `rows` new patients.
    let mut csv = String::from("given_name,family_name,date_of_birth,sex,phone,email,address\n");
    for i in 0..args.rows {
        csv.push_str(&format!(
            "Given{i},Family{i},19{:02}-{:02}-{:02},female,+44 20 7946 {:04},p{i}@example.org,\"{i} Harley Street, London\"\n",
            40 + i % 60,
            1 + i % 12,
            1 + i % 28,
            i % 10_000
        ));
    }
    let size = csv.len();
    let started = Instant::now();
    let r = http
        .post(format!("{base}/api/v1/patients/import"))
        .bearer_auth(&doc)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await?;
    let status = r.status();
    let elapsed = started.elapsed();
    let body: Value = r.json().await?;
    println!(
        "import: {} rows ({:.1} MiB) → {status} imported={} in {elapsed:.2?} ({:.0} rows/s)",
        args.rows,
        size as f64 / 1_048_576.0,
        body["imported"],
        args.rows as f64 / elapsed.as_secs_f64()
    );

    // A patient with a photography consent, for the photos and the export.
    let patient = body["ids"][0].as_str().unwrap_or_default().to_owned();
    let t: Value = http
        .post(format!("{base}/api/v1/consent-templates"))
        .bearer_auth(&admin)
        .json(&json!({"title": "Photography", "body_markdown": "Photos for your record.", "risks": [], "scope": "photography"}))
        .send()
        .await?
        .json()
        .await?;
    let c: Value = http
        .post(format!("{base}/api/v1/patients/{patient}/consents"))
        .bearer_auth(&doc)
        .json(&json!({"template_id": t["id"]}))
        .send()
        .await?
        .json()
        .await?;
    let mut sig = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(40, 12, image::Luma([0])))
        .write_to(&mut sig, image::ImageFormat::Png)?;
    use base64::Engine;
    let sig = base64::engine::general_purpose::STANDARD.encode(sig.into_inner());
    http.post(format!("{base}/api/v1/consents/{}/sign", c["id"].as_str().unwrap_or_default()))
        .bearer_auth(&doc)
        .json(&json!({"signer_name": "Bench Patient", "signature_png_base64": sig, "signer_kind": "patient"}))
        .send()
        .await?;

    let jpeg = camera_jpeg(args.photo_width, args.photo_height);
    println!(
        "photo: {}×{} JPEG of {:.1} MiB",
        args.photo_width,
        args.photo_height,
        jpeg.len() as f64 / 1_048_576.0
    );
    let mut times = Vec::new();
    for _ in 0..args.photos {
        let (ct, body) = multipart(&jpeg, &chrono::Utc::now().to_rfc3339());
        let started = Instant::now();
        let r = http
            .post(format!("{base}/api/v1/patients/{patient}/photos"))
            .bearer_auth(&doc)
            .header("content-type", ct)
            .body(body)
            .send()
            .await?;
        let status = r.status();
        let _ = r.bytes().await?;
        times.push(started.elapsed());
        anyhow::ensure!(status == 201, "upload answered {status}");
    }
    summary("photo upload (201)", times);

    let mut times = Vec::new();
    for _ in 0..args.exports {
        let started = Instant::now();
        let r = http
            .get(format!("{base}/api/v1/patients/{patient}/export"))
            .bearer_auth(&doc)
            .send()
            .await?;
        let _ = r.bytes().await?;
        times.push(started.elapsed());
    }
    summary(
        &format!("FHIR export ({} photos, 1 consent)", args.photos),
        times,
    );
    Ok(())
}
