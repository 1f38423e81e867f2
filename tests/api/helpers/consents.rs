//! Consent templates and signed consents, as a clinic's admin and clinicians make them.
use base64::Engine;
use serde_json::{json, Value};

use super::TestApp;

/// A real, small PNG (a signature scribble).
pub fn signature_png() -> String {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, 40, 12);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let pixels: Vec<u8> = (0..40 * 12)
            .map(|i| if i % 7 == 0 { 0 } else { 255 })
            .collect();
        writer.write_image_data(&pixels).unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub async fn template(app: &TestApp, admin: &str, scope: &str, extra: Value) -> Value {
    let mut body = json!({"title": format!("{scope} consent"), "body_markdown": "I agree to the **stem cell facial**.",
        "risks": ["infection", "bleeding", "bruising"], "scope": scope});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app.post(admin, "/api/v1/consent-templates", &body).await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

pub async fn signed_consent(
    app: &TestApp,
    practitioner: &str,
    patient: &str,
    template_id: &str,
) -> Value {
    let c: Value = app
        .post(
            practitioner,
            &format!("/api/v1/patients/{patient}/consents"),
            &json!({"template_id": template_id}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(practitioner, &format!("/api/v1/consents/{}/sign", c["id"].as_str().unwrap()),
            &json!({"signer_name": "Ada Lovelace", "signature_png_base64": signature_png(), "signer_kind": "patient"}))
        .await;
    assert_eq!(r.status(), 200, "sign");
    r.json().await.unwrap()
}
