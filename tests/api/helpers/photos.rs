//! Photo uploads: a real JPEG of any size and the multipart form the upload route takes.
use chrono::Utc;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbImage};

use super::TestApp;

pub fn gradient(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 90])
    }))
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    gradient(width, height)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 85))
        .unwrap();
    out
}

// ---------------------------------------------------------------- multipart

pub struct Part {
    pub name: &'static str,
    pub filename: Option<&'static str>,
    pub content_type: Option<&'static str>,
    pub data: Vec<u8>,
}

pub fn text(name: &'static str, value: &str) -> Part {
    Part {
        name,
        filename: None,
        content_type: None,
        data: value.as_bytes().to_vec(),
    }
}

pub fn file(data: Vec<u8>, filename: &'static str, content_type: &'static str) -> Part {
    Part {
        name: "file",
        filename: Some(filename),
        content_type: Some(content_type),
        data,
    }
}

pub const BOUNDARY: &str = "dermachart-test-boundary-7MA4YWxkTrZu0gW";

pub fn multipart_body(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in parts {
        body.extend(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", p.name);
        if let Some(f) = p.filename {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend(disposition.as_bytes());
        body.extend(b"\r\n");
        if let Some(ct) = p.content_type {
            body.extend(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend(b"\r\n");
        body.extend(&p.data);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The usual form: the file, now, `before`, `frontal`.
pub fn form(file_part: Part) -> Vec<Part> {
    vec![
        file_part,
        text("taken_at", &Utc::now().to_rfc3339()),
        text("kind", "before"),
        text("view", "frontal"),
    ]
}

pub fn form_at(
    bytes: Vec<u8>,
    taken_at: chrono::DateTime<Utc>,
    kind: &str,
    view: &str,
) -> Vec<Part> {
    vec![
        file(bytes, "face.jpg", "image/jpeg"),
        text("taken_at", &taken_at.to_rfc3339()),
        text("kind", kind),
        text("view", view),
    ]
}

/// A multipart body and its content type.
pub fn multipart_request(parts: &[Part]) -> (String, Vec<u8>) {
    (
        format!("multipart/form-data; boundary={BOUNDARY}"),
        multipart_body(parts),
    )
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    patient: &str,
    parts: &[Part],
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/patients/{patient}/photos")))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_body(parts))
        .send()
        .await
        .unwrap()
}
