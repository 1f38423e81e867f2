//! Photos: only real JPEG/PNG/WebP bytes are taken, re-encoded without metadata,
//! kept under their hash in MEDIA_DIR behind the photography-consent gate, and
//! served only to clinicians and the photo's own patient.
use chrono::{Duration, Utc};
use image::codecs::png::PngEncoder;
use image::GenericImageView;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use dermachart::db::types::PatientId;
use dermachart::domain::role::Role;

use crate::helpers::consents::{signed_consent, template};
use crate::helpers::photos::{file, form, form_at, gradient, jpeg, text, upload, Part};
use crate::helpers::{assert_problem, error_fields, spawn_app, Session, TestApp};

// ---------------------------------------------------------------- test images

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    gradient(width, height)
        .write_with_encoder(PngEncoder::new(&mut out))
        .unwrap();
    out
}

/// The latitude 51° 30' 26.21" N as the three EXIF rationals — bytes that can only
/// be in a file that kept the GPS block.
fn latitude_rationals() -> Vec<u8> {
    let mut bytes = Vec::new();
    for (n, d) in [(51u32, 1u32), (30, 1), (2621, 100)] {
        bytes.extend(n.to_be_bytes());
        bytes.extend(d.to_be_bytes());
    }
    bytes
}

/// The GPSInfo IFD pointer entry's tag and type (big-endian), as in IFD0.
const GPS_POINTER: [u8; 4] = [0x88, 0x25, 0x00, 0x04];

/// An APP1 `Exif` segment (big-endian TIFF) whose IFD0 points to a GPS IFD with a
/// latitude.
fn exif_gps_segment() -> Vec<u8> {
    let mut tiff = b"MM\0\x2a".to_vec();
    tiff.extend(8u32.to_be_bytes());
    // IFD0 at 8: one entry, GPSInfo → the GPS IFD at 26.
    tiff.extend(1u16.to_be_bytes());
    tiff.extend(GPS_POINTER);
    tiff.extend(1u32.to_be_bytes());
    tiff.extend(26u32.to_be_bytes());
    tiff.extend(0u32.to_be_bytes());
    // GPS IFD at 26: GPSLatitudeRef "N", GPSLatitude → 3 rationals at 56.
    tiff.extend(2u16.to_be_bytes());
    tiff.extend([0x00, 0x01, 0x00, 0x02]);
    tiff.extend(2u32.to_be_bytes());
    tiff.extend(*b"N\0\0\0");
    tiff.extend([0x00, 0x02, 0x00, 0x05]);
    tiff.extend(3u32.to_be_bytes());
    tiff.extend(56u32.to_be_bytes());
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len(), 56);
    tiff.extend(latitude_rationals());
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend(u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    segment.extend(payload);
    segment
}

/// An APP1 `Exif` segment whose only tag is Orientation = 6 (the camera was turned:
/// rotate 90° clockwise to view).
fn exif_orientation_segment() -> Vec<u8> {
    let mut tiff = b"MM\0\x2a".to_vec();
    tiff.extend(8u32.to_be_bytes());
    tiff.extend(1u16.to_be_bytes());
    tiff.extend([0x01, 0x12, 0x00, 0x03]);
    tiff.extend(1u32.to_be_bytes());
    tiff.extend([0x00, 0x06, 0x00, 0x00]);
    tiff.extend(0u32.to_be_bytes());
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend(u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    segment.extend(payload);
    segment
}

fn webp_lossless(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    gradient(width, height)
        .write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out))
        .unwrap();
    out
}

/// A real JPEG carrying GPS EXIF right after SOI, as a phone camera writes it.
fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    assert_eq!(&plain[..2], &[0xFF, 0xD8]);
    let mut bytes = plain[..2].to_vec();
    bytes.extend(exif_gps_segment());
    bytes.extend(&plain[2..]);
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The markers of a JPEG's segments before the scan (SOI … SOS).
fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "starts with SOI");
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() {
        assert_eq!(bytes[i], 0xFF, "a marker at {i}");
        let marker = bytes[i + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        i += 2 + len;
    }
    markers
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    chunk.extend(kind);
    chunk.extend(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend(data);
    chunk.extend(crc32(&crc_input).to_be_bytes());
    chunk
}

/// A 100-byte PNG whose IHDR (valid CRC) declares `width`×`height` RGB pixels, with
/// an IDAT holding no pixels at all: decoding it could only fail, so a 422 proves
/// the size was judged from the header first.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend(png_chunk(b"IHDR", &ihdr));
    // An empty zlib stream.
    bytes.extend(png_chunk(
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
        ],
    ));
    bytes.extend(png_chunk(b"IEND", &[]));
    bytes
}

/// A real 16×16 JPEG whose SOF0 is rewritten to declare `width`×`height`.
fn jpeg_bomb(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = jpeg(16, 16);
    let sof = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline SOF0");
    bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    bytes
}

// ---------------------------------------------------------------- the clinic

struct PhotoClinic {
    app: TestApp,
    admin: String,
    practitioner: Session,
    patient: String,
    photography_template: String,
}

/// A clinic with one patient who signed a photography consent just now.
async fn clinic() -> PhotoClinic {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await.token;
    let practitioner = app.sign_in(Role::Practitioner).await;
    let patient = app
        .create_patient(&practitioner.token, "Ada", "Lovelace")
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = template(&app, &admin, "photography", json!({})).await;
    let photography_template = t["id"].as_str().unwrap().to_owned();
    signed_consent(&app, &practitioner.token, &patient, &photography_template).await;
    PhotoClinic {
        app,
        admin,
        practitioner,
        patient,
        photography_template,
    }
}

impl PhotoClinic {
    async fn upload_ok(&self, parts: &[Part]) -> Value {
        let r = upload(&self.app, &self.practitioner.token, &self.patient, parts).await;
        assert_eq!(r.status(), 201, "upload");
        r.json().await.unwrap()
    }

    async fn bytes(&self, token: &str, path: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
        let r = self.app.get(token, path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        let headers = r.headers().clone();
        (headers, r.bytes().await.unwrap().to_vec())
    }

    async fn photo_rows(&self) -> usize {
        let patient = PatientId(self.patient.parse().unwrap());
        self.app
            .with_db(move |conn| {
                dermachart::db::models::photos::of_patient(conn, patient)
                    .unwrap()
                    .len()
            })
            .await
    }

    /// The names of everything in MEDIA_DIR (nothing if it was never created).
    fn media_files(&self) -> Vec<String> {
        match std::fs::read_dir(&self.app.media.0) {
            Err(_) => vec![],
            Ok(entries) => {
                let mut names: Vec<String> = entries
                    .map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect();
                names.sort();
                names
            }
        }
    }

    async fn assert_nothing_stored(&self) {
        assert_eq!(self.photo_rows().await, 0, "no photo row");
        assert_eq!(self.media_files(), Vec::<String>::new(), "MEDIA_DIR empty");
    }
}

async fn patient_id_of(app: &TestApp, session: &Session) -> String {
    let me: Value = app
        .get(&session.token, "/api/v1/auth/me")
        .await
        .json()
        .await
        .unwrap();
    me["patient_id"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------- tests

#[tokio::test]
async fn a_jpeg_with_gps_exif_is_accepted_and_the_stored_file_carries_no_exif_or_gps() {
    let c = clinic().await;
    let original = jpeg_with_gps(640, 480);
    assert!(contains(&original, b"Exif\0\0") && contains(&original, &GPS_POINTER));
    assert!(contains(&original, &latitude_rationals()));
    assert!(
        jpeg_markers(&original).contains(&0xE1),
        "the upload has APP1"
    );
    image::load_from_memory(&original).expect("the upload is a real JPEG");

    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &form(file(original.clone(), "IMG_0001.JPG", "image/jpeg")),
    )
    .await;
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let photo: Value = r.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/photos/{}", photo["id"].as_str().unwrap())
    );
    assert_eq!(photo["patient_id"], c.patient.as_str());
    assert_eq!(photo["content_type"], "image/jpeg");
    assert_eq!(
        (photo["width"].as_i64(), photo["height"].as_i64()),
        (Some(640), Some(480))
    );
    assert_eq!(photo["kind"], "before");
    assert_eq!(photo["view"], "frontal");
    assert_eq!(
        photo["taken_by"],
        c.practitioner.user_id.to_string().as_str()
    );
    for key in ["taken_at", "created_at"] {
        assert!(photo[key].is_string(), "{key}");
    }
    assert!(photo.get("filename").is_none());

    let (headers, stored) = c.bytes(&c.practitioner.token, &location).await;
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(
        headers["content-length"].to_str().unwrap(),
        stored.len().to_string()
    );
    assert_eq!(photo["byte_size"].as_u64(), Some(stored.len() as u64));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("inline"), "{disposition}");
    assert!(
        !disposition.contains("IMG_0001"),
        "the client's name is not used"
    );
    assert_eq!(
        photo["sha256"].as_str().unwrap(),
        hex::encode(Sha256::digest(&stored)),
        "stored under the hash of the bytes served"
    );
    assert_ne!(stored, original, "re-encoded");
    assert!(!contains(&stored, b"Exif\0\0"), "no Exif block");
    assert!(
        !contains(&stored, b"MM\0\x2a") && !contains(&stored, b"II\x2a\0"),
        "no TIFF header"
    );
    assert!(!contains(&stored, &GPS_POINTER), "no GPS pointer");
    assert!(!contains(&stored, &latitude_rationals()), "no latitude");
    assert!(
        !jpeg_markers(&stored)
            .iter()
            .any(|m| (0xE1..=0xEF).contains(m)),
        "no APP1–APP15 segment: {:x?}",
        jpeg_markers(&stored)
    );
    let decoded = image::load_from_memory(&stored).unwrap();
    assert_eq!(decoded.dimensions(), (640, 480));

    let rows = c.app.audit_rows().await;
    for action in ["create", "read"] {
        assert!(
            rows.iter().any(|r| r.action == action
                && r.entity_type == "photo"
                && r.patient_id.map(|p| p.to_string()) == Some(c.patient.clone())),
            "audited {action}"
        );
    }
}

#[tokio::test]
async fn a_png_is_accepted_stays_a_png_and_is_listed_and_charted() {
    let c = clinic().await;
    let photo = c
        .upload_ok(&form(file(png(500, 300), "scan.png", "image/png")))
        .await;
    assert_eq!(photo["content_type"], "image/png");
    let (headers, stored) = c
        .bytes(&c.practitioner.token, photo["url"].as_str().unwrap())
        .await;
    assert_eq!(headers["content-type"], "image/png");
    assert!(stored.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(
        image::load_from_memory(&stored).unwrap().dimensions(),
        (500, 300)
    );

    let list: Value = c
        .app
        .get(&c.admin, &format!("/api/v1/patients/{}/photos", c.patient))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], photo["id"]);
    assert_eq!(list["next_cursor"], Value::Null);
    let none: Value = c
        .app
        .get(
            &c.admin,
            &format!("/api/v1/patients/{}/photos?view=left_45", c.patient),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["items"], json!([]), "the view filter applies");

    let chart: Value = c
        .app
        .get(
            &c.practitioner.token,
            &format!("/api/v1/patients/{}/record", c.patient),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chart["photos"].as_array().unwrap().len(), 1);
    assert_eq!(chart["photos"][0]["sha256"], photo["sha256"]);
}

async fn assert_refused_as_not_an_image(
    bytes: Vec<u8>,
    filename: &'static str,
    declared: &'static str,
) {
    let c = clinic().await;
    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &form(file(bytes, filename, declared)),
    )
    .await;
    assert_problem(r, 415).await;
    c.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_webp_is_accepted_and_kept_as_a_png() {
    let c = clinic().await;
    let original = webp_lossless(400, 240);
    assert_eq!(&original[8..12], b"WEBP");
    let photo = c
        .upload_ok(&form(file(original, "face.webp", "image/webp")))
        .await;
    assert_eq!(photo["content_type"], "image/png");
    let (headers, stored) = c
        .bytes(&c.practitioner.token, photo["url"].as_str().unwrap())
        .await;
    assert_eq!(headers["content-type"], "image/png");
    assert!(stored.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(
        image::load_from_memory(&stored).unwrap().dimensions(),
        (400, 240)
    );
}

#[tokio::test]
async fn a_turned_camera_photo_is_stored_upright_although_its_exif_is_dropped() {
    let c = clinic().await;
    let plain = jpeg(640, 480);
    let mut turned = plain[..2].to_vec();
    turned.extend(exif_orientation_segment());
    turned.extend(&plain[2..]);
    let photo = c
        .upload_ok(&form(file(turned, "turned.jpg", "image/jpeg")))
        .await;
    assert_eq!(
        (photo["width"].as_i64(), photo["height"].as_i64()),
        (Some(480), Some(640)),
        "rotated as the orientation tag said"
    );
    let (_, stored) = c
        .bytes(&c.practitioner.token, photo["url"].as_str().unwrap())
        .await;
    assert!(!contains(&stored, b"Exif\0\0"));
    assert_eq!(
        image::load_from_memory(&stored).unwrap().dimensions(),
        (480, 640)
    );
}

#[tokio::test]
async fn a_text_file_named_x_jpg_and_sent_as_image_jpeg_is_415() {
    assert_refused_as_not_an_image(
        b"Hello, this is plain text pretending to be a photo.\n".to_vec(),
        "x.jpg",
        "image/jpeg",
    )
    .await;
}

#[tokio::test]
async fn an_svg_is_415_even_sent_as_an_image() {
    assert_refused_as_not_an_image(
        br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"#.to_vec(),
        "face.svg",
        "image/svg+xml",
    )
    .await;
}

#[tokio::test]
async fn a_gif_is_415() {
    // A real 1×1 GIF89a.
    let gif = vec![
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF,
        0xFF, 0x00, 0x00, 0x00, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ];
    assert_refused_as_not_an_image(gif, "face.jpg", "image/jpeg").await;
}

#[tokio::test]
async fn jpeg_magic_followed_by_html_and_a_truncated_png_are_refused_as_unreadable() {
    let c = clinic().await;
    let mut polyglot = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    polyglot.extend(b"JFIF\0<html><body><script>alert(document.cookie)</script></body></html>");
    polyglot.extend(b"PK\x03\x04 zip local header and junk");
    let whole = png(300, 200);
    let truncated = whole[..whole.len() / 2].to_vec();
    for (what, bytes) in [("polyglot", polyglot), ("truncated", truncated)] {
        let r = upload(
            &c.app,
            &c.practitioner.token,
            &c.patient,
            &form(file(bytes, "face.jpg", "image/jpeg")),
        )
        .await;
        assert_eq!(r.status(), 415, "{what}");
    }
    c.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_payload_hidden_after_a_real_jpeg_does_not_survive_re_encoding() {
    let c = clinic().await;
    let mut bytes = jpeg(200, 150);
    let payload = b"<html><script>alert('stored xss')</script></html>PK\x03\x04";
    bytes.extend(payload);
    let photo = c
        .upload_ok(&form(file(bytes, "face.jpg", "image/jpeg")))
        .await;
    let (_, stored) = c
        .bytes(&c.practitioner.token, photo["url"].as_str().unwrap())
        .await;
    assert!(!contains(&stored, b"<html>") && !contains(&stored, b"PK\x03\x04"));
    assert!(stored.ends_with(&[0xFF, 0xD9]), "ends at EOI");
}

#[tokio::test]
async fn a_file_of_20_mib_and_one_byte_is_413_and_nothing_is_stored() {
    let c = clinic().await;
    let mut big = jpeg(64, 64);
    big.resize(20 * 1024 * 1024 + 1, 0);
    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &form(file(big, "big.jpg", "image/jpeg")),
    )
    .await;
    assert_problem(r, 413).await;
    c.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_pixel_bomb_is_422_on_file_judged_from_its_header_before_decoding() {
    let c = clinic().await;
    let bomb = png_bomb(30_000, 30_000);
    assert!(bomb.len() < 100);
    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &form(file(bomb, "bomb.png", "image/png")),
    )
    .await;
    let problem = assert_problem(r, 422).await;
    assert_eq!(error_fields(&problem), vec!["file"]);
    // Within the side limit but over the pixel limit: 9000 × 9000 = 81 MP.
    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &form(file(png_bomb(9_000, 9_000), "bomb.png", "image/png")),
    )
    .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["file"]);
    // A real JPEG whose frame header claims 20000 × 20000.
    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &form(file(jpeg_bomb(20_000, 20_000), "bomb.jpg", "image/jpeg")),
    )
    .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["file"]);
    // The same tiny IHDR trick with a sane size is simply unreadable: 415, not 422.
    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &form(file(png_bomb(64, 64), "small.png", "image/png")),
    )
    .await;
    assert_problem(r, 415).await;
    c.assert_nothing_stored().await;
}

#[tokio::test]
async fn a_path_traversal_filename_is_ignored_and_only_hex_named_files_land_in_media_dir() {
    let c = clinic().await;
    let outside = c.app.media.0.parent().unwrap().join("etc");
    let photo = c
        .upload_ok(&form(file(
            jpeg(400, 300),
            "../../etc/passwd",
            "image/jpeg",
        )))
        .await;
    let files = c.media_files();
    assert_eq!(files.len(), 2, "the photo and its thumbnail: {files:?}");
    for name in &files {
        assert!(
            name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name}"
        );
        assert!(c.app.media.0.join(name).is_file());
    }
    assert!(files.contains(&photo["sha256"].as_str().unwrap().to_owned()));
    assert!(
        !outside.join("passwd").exists(),
        "nothing written outside MEDIA_DIR"
    );
    let (headers, _) = c
        .bytes(&c.practitioner.token, photo["url"].as_str().unwrap())
        .await;
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        !disposition.contains("passwd") && !disposition.contains(".."),
        "{disposition}"
    );
}

#[tokio::test]
async fn without_a_photography_consent_valid_as_of_taken_at_the_upload_is_409_and_nothing_is_stored(
) {
    let app = spawn_app().await;
    let admin = app.sign_in(Role::Admin).await.token;
    let practitioner = app.sign_in(Role::Practitioner).await;
    let patient = app
        .create_patient(&practitioner.token, "Grace", "Hopper")
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = PhotoClinic {
        app,
        admin,
        practitioner,
        patient,
        photography_template: String::new(),
    };
    let attempt = |taken_at: chrono::DateTime<Utc>| {
        let c = &c;
        async move {
            upload(
                &c.app,
                &c.practitioner.token,
                &c.patient,
                &form_at(jpeg(640, 480), taken_at, "before", "frontal"),
            )
            .await
        }
    };
    // No consent at all.
    assert_problem(attempt(Utc::now()).await, 409).await;
    c.assert_nothing_stored().await;
    // A treatment consent is not a photography consent.
    let treatment = template(&c.app, &c.admin, "treatment", json!({})).await;
    signed_consent(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        treatment["id"].as_str().unwrap(),
    )
    .await;
    assert_problem(attempt(Utc::now()).await, 409).await;
    // A photography consent signed now does not cover a photo taken yesterday.
    let photography = template(&c.app, &c.admin, "photography", json!({})).await;
    let consent = signed_consent(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        photography["id"].as_str().unwrap(),
    )
    .await;
    let problem = assert_problem(attempt(Utc::now() - Duration::days(1)).await, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("consent"));
    c.assert_nothing_stored().await;
    // Covered now.
    let r = attempt(Utc::now()).await;
    assert_eq!(r.status(), 201);
    // Revoked: photos taken after the revocation are refused.
    let r = c
        .app
        .post(
            &c.practitioner.token,
            &format!(
                "/api/v1/consents/{}/revoke",
                consent["id"].as_str().unwrap()
            ),
            &json!({"reason": "changed my mind"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_problem(attempt(Utc::now()).await, 409).await;
    assert_eq!(c.photo_rows().await, 1, "only the covered photo");
    assert_eq!(c.media_files().len(), 2, "its file and thumbnail");
}

#[tokio::test]
async fn front_desk_may_neither_upload_nor_download_photos_and_admin_may_only_look() {
    let c = clinic().await;
    let photo = c
        .upload_ok(&form(file(jpeg(100, 100), "f.jpg", "image/jpeg")))
        .await;
    let desk = c.app.sign_in(Role::FrontDesk).await.token;
    let r = upload(
        &c.app,
        &desk,
        &c.patient,
        &form(file(jpeg(100, 100), "f.jpg", "image/jpeg")),
    )
    .await;
    assert_problem(r, 403).await;
    let url = photo["url"].as_str().unwrap();
    assert_problem(c.app.get(&desk, url).await, 403).await;
    assert_problem(c.app.get(&desk, &format!("{url}?size=thumb")).await, 403).await;
    assert_problem(
        c.app
            .get(&desk, &format!("/api/v1/patients/{}/photos", c.patient))
            .await,
        403,
    )
    .await;
    let chart: Value = c
        .app
        .get(&desk, &format!("/api/v1/patients/{}/record", c.patient))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        chart.get("photos").is_none(),
        "no photos in the front-desk chart"
    );
    let r = upload(
        &c.app,
        &c.admin,
        &c.patient,
        &form(file(jpeg(100, 100), "f.jpg", "image/jpeg")),
    )
    .await;
    assert_problem(r, 403).await;
    c.bytes(&c.admin, url).await;
    assert_eq!(c.photo_rows().await, 1);
}

#[tokio::test]
async fn a_patient_fetches_their_own_photo_and_another_patients_looks_like_a_random_id() {
    let c = clinic().await;
    let me = c.app.sign_in(Role::Patient).await;
    let my_id = patient_id_of(&c.app, &me).await;
    signed_consent(
        &c.app,
        &c.practitioner.token,
        &my_id,
        &c.photography_template,
    )
    .await;
    let mine = upload(
        &c.app,
        &c.practitioner.token,
        &my_id,
        &form(file(jpeg(800, 600), "mine.jpg", "image/jpeg")),
    )
    .await;
    assert_eq!(mine.status(), 201);
    let mine: Value = mine.json().await.unwrap();
    let theirs = c
        .upload_ok(&form(file(jpeg(800, 600), "theirs.jpg", "image/jpeg")))
        .await;
    let mine_id = mine["id"].as_str().unwrap();
    let theirs_id = theirs["id"].as_str().unwrap();

    for base in ["/api/v1/photos", "/api/v1/me/photos"] {
        let (headers, full) = c.bytes(&me.token, &format!("{base}/{mine_id}")).await;
        assert_eq!(headers["content-type"], "image/jpeg");
        assert_eq!(
            hex::encode(Sha256::digest(&full)),
            mine["sha256"].as_str().unwrap()
        );
        let (_, thumb) = c
            .bytes(&me.token, &format!("{base}/{mine_id}?size=thumb"))
            .await;
        assert_eq!(
            image::load_from_memory(&thumb).unwrap().dimensions(),
            (320, 240)
        );

        let random = uuid::Uuid::now_v7();
        let other = assert_problem(
            c.app.get(&me.token, &format!("{base}/{theirs_id}")).await,
            404,
        )
        .await;
        let unknown =
            assert_problem(c.app.get(&me.token, &format!("{base}/{random}")).await, 404).await;
        assert_eq!(other, unknown, "{base}: same answer as an unknown id");
        let other = assert_problem(
            c.app
                .get(&me.token, &format!("{base}/{theirs_id}?size=thumb"))
                .await,
            404,
        )
        .await;
        assert_eq!(other, unknown);
    }
    let list: Value = c
        .app
        .get(&me.token, "/api/v1/me/photos")
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only my own");
    assert_eq!(items[0]["id"], mine_id);
    assert_eq!(
        items[0]["taken_by"], "Test practitioner",
        "a name, not a user id"
    );
    assert_eq!(items[0]["url"], format!("/api/v1/me/photos/{mine_id}"));
    assert_problem(
        c.app
            .get(&me.token, &format!("/api/v1/patients/{my_id}/photos"))
            .await,
        404,
    )
    .await;
    let rows = c.app.audit_rows().await;
    assert!(rows.iter().any(|r| r.action == "access_denied"
        && r.actor_id == Some(me.user_id)
        && r.entity_id
            .as_deref()
            .is_some_and(|e| e.ends_with(theirs_id))));
}

#[tokio::test]
async fn the_thumbnail_longest_side_is_320_pixels() {
    let c = clinic().await;
    let photo = c
        .upload_ok(&form(file(jpeg(600, 900), "portrait.jpg", "image/jpeg")))
        .await;
    assert_eq!(
        (
            photo["thumb_width"].as_i64(),
            photo["thumb_height"].as_i64()
        ),
        (Some(213), Some(320))
    );
    let (headers, thumb) = c
        .bytes(
            &c.practitioner.token,
            &format!("{}?size=thumb", photo["url"].as_str().unwrap()),
        )
        .await;
    assert_eq!(headers["content-type"], "image/jpeg");
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!(thumb.width().max(thumb.height()), 320);
    assert_eq!(thumb.dimensions(), (213, 320));
    let (_, full) = c
        .bytes(&c.practitioner.token, photo["url"].as_str().unwrap())
        .await;
    assert_eq!(
        image::load_from_memory(&full).unwrap().dimensions(),
        (600, 900)
    );
}

#[tokio::test]
async fn compare_pairs_the_latest_before_and_after_of_a_view_and_refuses_different_views() {
    let c = clinic().await;
    // The consent was signed just now, so every photo is taken after it.
    let t0 = Utc::now();
    let before_frontal = c
        .upload_ok(&form_at(jpeg(64, 64), t0, "before", "frontal"))
        .await;
    let before_left = c
        .upload_ok(&form_at(jpeg(64, 64), t0, "before", "left_45"))
        .await;
    let after_frontal = c
        .upload_ok(&form_at(
            jpeg(64, 64),
            t0 + Duration::milliseconds(5),
            "after",
            "frontal",
        ))
        .await;
    let follow_up_frontal = c
        .upload_ok(&form_at(
            jpeg(64, 64),
            t0 + Duration::milliseconds(10),
            "follow_up",
            "frontal",
        ))
        .await;
    let path = format!("/api/v1/patients/{}/photos/compare", c.patient);
    let pair: Value = c
        .app
        .get(&c.practitioner.token, &format!("{path}?view=frontal"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pair["view"], "frontal");
    assert_eq!(pair["before"]["id"], before_frontal["id"]);
    assert_eq!(
        pair["after"]["id"], follow_up_frontal["id"],
        "the latest after-side photo"
    );
    assert_eq!(pair["interval_days"], 0);

    let named: Value = c
        .app
        .get(
            &c.admin,
            &format!(
                "{path}?before={}&after={}",
                before_frontal["id"].as_str().unwrap(),
                after_frontal["id"].as_str().unwrap()
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(named["after"]["id"], after_frontal["id"]);
    assert_eq!(named["view"], "frontal");

    let r = c
        .app
        .get(
            &c.practitioner.token,
            &format!(
                "{path}?before={}&after={}",
                before_left["id"].as_str().unwrap(),
                after_frontal["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["after"]);
    let r = c
        .app
        .get(
            &c.practitioner.token,
            &format!(
                "{path}?view=left_45&before={}&after={}",
                before_frontal["id"].as_str().unwrap(),
                after_frontal["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["view"]);
    // Only a before photo of left_45, and nothing at all of right_profile.
    for view in ["left_45", "right_profile"] {
        let r = c
            .app
            .get(&c.practitioner.token, &format!("{path}?view={view}"))
            .await;
        assert_problem(r, 404).await;
    }
    let r = c.app.get(&c.practitioner.token, &path).await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["view"]);
    // Another patient's photo is not this patient's.
    let other = c
        .app
        .create_patient(&c.practitioner.token, "Other", "Person")
        .await;
    let r = c
        .app
        .get(
            &c.practitioner.token,
            &format!(
                "/api/v1/patients/{}/photos/compare?before={}&after={}",
                other["id"].as_str().unwrap(),
                before_frontal["id"].as_str().unwrap(),
                after_frontal["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(error_fields(&assert_problem(r, 422).await), vec!["after"]);
}

#[tokio::test]
async fn a_photo_links_to_its_own_patients_appointment_and_procedure_and_keeps_that_draft() {
    let c = crate::helpers::clinic::clinic().await;
    let author = c.app.sign_in(Role::Practitioner).await;
    let p = c.patient("Ada").await;
    let (procedure, appointment) = crate::helpers::clinical::ready_procedure(&c, &author, &p).await;
    let photography = template(&c.app, &c.admin, "photography", json!({})).await;
    signed_consent(
        &c.app,
        &author.token,
        &p,
        photography["id"].as_str().unwrap(),
    )
    .await;
    let linked = |appointment: &str, procedure: &str| {
        let mut parts = form(file(jpeg(64, 64), "a.jpg", "image/jpeg"));
        parts[2] = text("kind", "after");
        parts.push(text("appointment_id", appointment));
        parts.push(text("procedure_id", procedure));
        parts
    };
    let r = upload(&c.app, &author.token, &p, &linked(&appointment, &procedure)).await;
    assert_eq!(r.status(), 201);
    let photo: Value = r.json().await.unwrap();
    assert_eq!(photo["appointment_id"], appointment.as_str());
    assert_eq!(photo["procedure_id"], procedure.as_str());

    // Another patient's appointment and procedure are refused, naming the field.
    let other = c.patient("Other").await;
    let theirs = c
        .book_ok(
            &other,
            &c.practitioners[0],
            &c.consultation,
            crate::helpers::clinic::monday(1, 10, 0),
        )
        .await;
    signed_consent(
        &c.app,
        &author.token,
        &other,
        photography["id"].as_str().unwrap(),
    )
    .await;
    let r = upload(
        &c.app,
        &author.token,
        &other,
        &linked(theirs["id"].as_str().unwrap(), &procedure),
    )
    .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["procedure_id"]
    );
    let r = upload(
        &c.app,
        &author.token,
        &p,
        &linked(theirs["id"].as_str().unwrap(), &procedure),
    )
    .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["appointment_id"]
    );

    // The draft the photo documents cannot be deleted from under it (409, not a 500).
    let r = c
        .app
        .delete(&author.token, &format!("/api/v1/procedures/{procedure}"))
        .await;
    assert_problem(r, 409).await;
}

#[tokio::test]
async fn missing_or_invalid_fields_are_422_naming_each_and_an_unknown_patient_is_404() {
    let c = clinic().await;
    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &[text("kind", "before")],
    )
    .await;
    let mut fields = error_fields(&assert_problem(r, 422).await);
    fields.sort();
    assert_eq!(fields, vec!["file", "taken_at", "view"]);

    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &[
            file(jpeg(32, 32), "a.jpg", "image/jpeg"),
            text("taken_at", "yesterday"),
            text("kind", "during"),
            text("view", "top"),
            text("appointment_id", "not-a-uuid"),
        ],
    )
    .await;
    let mut fields = error_fields(&assert_problem(r, 422).await);
    fields.sort();
    assert_eq!(fields, vec!["appointment_id", "kind", "taken_at", "view"]);

    let future = Utc::now() + Duration::days(2);
    let r = upload(
        &c.app,
        &c.practitioner.token,
        &c.patient,
        &form_at(jpeg(32, 32), future, "before", "frontal"),
    )
    .await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["taken_at"]
    );

    let mut parts = form(file(jpeg(32, 32), "a.jpg", "image/jpeg"));
    parts.push(text("patient_id", &c.patient));
    let r = upload(&c.app, &c.practitioner.token, &c.patient, &parts).await;
    assert_eq!(
        error_fields(&assert_problem(r, 422).await),
        vec!["patient_id"]
    );

    for link in ["appointment_id", "procedure_id"] {
        let mut parts = form(file(jpeg(32, 32), "a.jpg", "image/jpeg"));
        parts.push(text(link, &uuid::Uuid::now_v7().to_string()));
        let r = upload(&c.app, &c.practitioner.token, &c.patient, &parts).await;
        assert_eq!(error_fields(&assert_problem(r, 422).await), vec![link]);
    }

    let r = upload(
        &c.app,
        &c.practitioner.token,
        &uuid::Uuid::now_v7().to_string(),
        &form(file(jpeg(32, 32), "a.jpg", "image/jpeg")),
    )
    .await;
    assert_problem(r, 404).await;

    let r = c
        .app
        .post(
            &c.practitioner.token,
            &format!("/api/v1/patients/{}/photos", c.patient),
            &json!({"file": "base64?"}),
        )
        .await;
    assert_problem(r, 415).await;
    c.assert_nothing_stored().await;
}

#[test]
fn the_openapi_document_describes_the_upload_as_multipart_and_the_bytes_as_images() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(dermachart::routes::openapi::ApiDoc::openapi()).unwrap();
    let upload = &doc["paths"]["/api/v1/patients/{id}/photos"]["post"];
    let form = &upload["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert!(!form.is_null(), "{upload}");
    for status in ["201", "409", "413", "415", "422"] {
        assert!(upload["responses"][status].is_object(), "{status}");
    }
    let get = &doc["paths"]["/api/v1/photos/{id}"]["get"]["responses"]["200"]["content"];
    assert!(
        get["image/jpeg"].is_object() && get["image/png"].is_object(),
        "{get}"
    );
}

#[tokio::test]
async fn a_photo_entered_in_error_leaves_the_lists_the_chart_and_compare_but_stays_stored() {
    let c = clinic().await;
    let before = c
        .upload_ok(&form_at(jpeg(64, 48), Utc::now(), "before", "frontal"))
        .await;
    let wrong = c
        .upload_ok(&form_at(jpeg(64, 48), Utc::now(), "after", "frontal"))
        .await;
    let id = wrong["id"].as_str().unwrap();
    let path = format!("/api/v1/photos/{id}/entered-in-error");
    let r = c
        .app
        .post(
            &c.practitioner.token,
            &path,
            &json!({"reason": "another patient's face"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_problem(
        c.app
            .post(&c.practitioner.token, &path, &json!({"reason": "again"}))
            .await,
        409,
    )
    .await;
    let list: Value = c
        .app
        .get(
            &c.practitioner.token,
            &format!("/api/v1/patients/{}/photos", c.patient),
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [before["id"].as_str().unwrap()]);
    let chart: Value = c
        .app
        .get(
            &c.practitioner.token,
            &format!("/api/v1/patients/{}/record", c.patient),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chart["photos"].as_array().unwrap().len(), 1);
    // Nobody is served its bytes any more (it may be another patient's face).
    for path in [
        format!("/api/v1/photos/{id}"),
        format!("/api/v1/photos/{id}?size=thumb"),
    ] {
        assert_problem(c.app.get(&c.practitioner.token, &path).await, 404).await;
    }
    // Compare no longer finds an "after" of that view.
    let r = c
        .app
        .get(
            &c.practitioner.token,
            &format!("/api/v1/patients/{}/photos/compare?view=frontal", c.patient),
        )
        .await;
    assert_eq!(r.status(), 404);
    // The row and its file stay (a mark is its own row; nothing signed is touched).
    let stored = c
        .app
        .with_db(|conn| {
            use dermachart::db::schema::photos;
            use diesel::prelude::*;
            photos::table.count().get_result::<i64>(conn).unwrap()
        })
        .await;
    assert_eq!(stored, 2);
}
