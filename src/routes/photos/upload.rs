//! `POST /patients/{id}/photos`: a photo arrives as `multipart/form-data`.
use std::collections::HashMap;
use std::sync::Arc;

use actix_multipart::{Multipart, MultipartError};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use crate::api::photos::{Photo, PhotoUpload};
use crate::auth::Caller;
use crate::db::types::{AppointmentId, PatientId, ProcedureId};
use crate::domain::photo::{PhotoKind, PhotoView};
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::imaging::{self, MAX_FILE_BYTES};
use crate::services::photos::{self, PhotoClaims};
use crate::state::AppState;

/// The text parts and how long each may be.
const TEXT_PARTS: [&str; 5] = ["taken_at", "kind", "view", "appointment_id", "procedure_id"];
const MAX_TEXT_PART: usize = 256;
/// The whole body: the file plus room for the text parts and the multipart framing.
const MAX_BODY_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;
/// The parts of an upload, read but not yet parsed.
#[derive(Debug, Default)]
struct RawUpload {
    file: Option<Vec<u8>>,
    text: HashMap<&'static str, String>,
}

fn malformed() -> ApiError {
    ApiError::BadRequest("The multipart body is malformed.".into())
}

fn multipart_error(err: MultipartError) -> ApiError {
    match err {
        MultipartError::Payload(PayloadError::Overflow) => ApiError::PayloadTooLarge,
        _ => malformed(),
    }
}

fn is_form_data(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.type_() == mime::MULTIPART && m.subtype() == mime::FORM_DATA)
}

/// Reads the parts as they stream in, holding at most the 20 MiB file and a few
/// short fields: the body stops being read the moment a limit is crossed (413).
/// The client's filename and the part's declared type are never looked at.
async fn read_parts(req: &HttpRequest, payload: web::Payload) -> Result<RawUpload, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(ApiError::PayloadTooLarge);
    }
    if !is_form_data(req) {
        return Err(ApiError::WrongMediaType(
            "Send the photo as multipart/form-data.".into(),
        ));
    }
    // Counts every byte of the body (framing and preamble included), so a body
    // without Content-Length is bounded too.
    let mut seen = 0usize;
    let bounded = payload.map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len();
        if seen > MAX_BODY_BYTES {
            Err(PayloadError::Overflow)
        } else {
            Ok(chunk)
        }
    });
    let mut parts = Multipart::new(req.headers(), bounded);
    let mut upload = RawUpload::default();
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(multipart_error)?;
        let name = part.name().unwrap_or_default().to_owned();
        if name == "file" {
            if upload.file.is_some() {
                return Err(ApiError::validation("file", "is given twice"));
            }
            let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(MAX_FILE_BYTES));
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(multipart_error)?;
                if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                    return Err(ApiError::PayloadTooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
            upload.file = Some(bytes);
            continue;
        }
        let Some(known) = TEXT_PARTS.iter().copied().find(|k| *k == name) else {
            let shown: String = name.chars().take(64).collect();
            return Err(ApiError::validation(
                shown,
                "is not a field of a photo upload",
            ));
        };
        if upload.text.contains_key(known) {
            return Err(ApiError::validation(known, "is given twice"));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(multipart_error)?;
            if bytes.len() + chunk.len() > MAX_TEXT_PART {
                return Err(ApiError::validation(known, "is too long"));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| ApiError::validation(known, "is not UTF-8 text"))?;
        upload.text.insert(known, text.trim().to_owned());
    }
    Ok(upload)
}

/// The upload's fields, parsed; every invalid field is named at once.
struct ParsedUpload {
    file: Vec<u8>,
    taken_at: chrono::NaiveDateTime,
    kind: PhotoKind,
    view: PhotoView,
    appointment_id: Option<AppointmentId>,
    procedure_id: Option<ProcedureId>,
}

fn parse_upload(mut raw: RawUpload) -> Result<ParsedUpload, ApiError> {
    let mut errors = Vec::new();
    let mut required = |name: &'static str, raw: &mut RawUpload| {
        let value = raw.text.remove(name).filter(|v| !v.is_empty());
        if value.is_none() {
            errors.push(FieldError::new(name, "is required"));
        }
        value
    };
    let taken_at = required("taken_at", &mut raw);
    let kind = required("kind", &mut raw);
    let view = required("view", &mut raw);
    let taken_at = taken_at.and_then(|t| {
        let parsed = DateTime::parse_from_rfc3339(&t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| FieldError::new("taken_at", "must be an RFC 3339 instant with offset"))
            .and_then(|t| {
                crate::api::plausible("taken_at", t).map_err(|_| {
                    FieldError::new("taken_at", "must be between the years 1900 and 9999")
                })
            })
            .and_then(|t| {
                if t > crate::db::now() + chrono::Duration::minutes(1) {
                    Err(FieldError::new("taken_at", "may not be in the future"))
                } else {
                    Ok(t)
                }
            });
        parsed.map_err(|e| errors.push(e)).ok()
    });
    let kind = kind.and_then(|k| {
        PhotoKind::parse(&k).or_else(|| {
            errors.push(FieldError::new(
                "kind",
                "must be before, after or follow_up",
            ));
            None
        })
    });
    let view = view.and_then(|v| {
        PhotoView::parse(&v).or_else(|| {
            errors.push(FieldError::new(
                "view",
                "must be frontal, left_45, right_45, left_profile or right_profile",
            ));
            None
        })
    });
    let mut optional_id = |name: &'static str| -> Option<uuid::Uuid> {
        let text = raw.text.remove(name).filter(|v| !v.is_empty())?;
        uuid::Uuid::parse_str(&text)
            .map_err(|_| errors.push(FieldError::new(name, "must be a UUID")))
            .ok()
    };
    let appointment_id = optional_id("appointment_id").map(AppointmentId);
    let procedure_id = optional_id("procedure_id").map(ProcedureId);
    let file = raw.file.filter(|f| !f.is_empty());
    if file.is_none() {
        errors.push(FieldError::new("file", "is required"));
    }
    match (file, taken_at, kind, view) {
        (Some(file), Some(taken_at), Some(kind), Some(view)) if errors.is_empty() => {
            Ok(ParsedUpload {
                file,
                taken_at,
                kind,
                view,
                appointment_id,
                procedure_id,
            })
        }
        _ => Err(ApiError::Validation(errors)),
    }
}

/// Stores a photo of the patient. The bytes must really be a JPEG, PNG or WebP (415
/// otherwise, whatever the name or declared type; also 415 if it does not decode),
/// at most 20 MiB (413) and 50 megapixels (422, judged from the header before any
/// decoding); the patient must hold a photography consent valid as of `taken_at`
/// (409). The file is re-encoded without metadata and kept under its SHA-256 with
/// a thumbnail (longest side 320 px). Nothing is kept on any refusal.
#[utoipa::path(post, path = "/api/v1/patients/{id}/photos", tag = "outcomes", params(("id" = String, Path)),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = Photo), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_photo(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let patient = id.into_inner();
    photos::require_patient(&state, patient).await?;
    // `UPLOAD_TIMEOUT_SECS` (20 MiB at 1 Mbit/s is under three minutes); a body
    // trickled in slower is dropped rather than holding a connection for ever.
    let raw = tokio::time::timeout(
        crate::extract::upload_deadline(&req),
        read_parts(&req, payload),
    )
    .await
    .map_err(|_| ApiError::RequestTimeout)??;
    let upload = parse_upload(raw)?;
    let file = Arc::new(upload.file);
    // Cheap checks of the bytes first (type, declared size), so a refusal costs no decode.
    let header_of = file.clone();
    web::block(move || imaging::inspect(&header_of)).await??;
    let claims = PhotoClaims {
        patient_id: patient,
        taken_at: upload.taken_at,
        appointment_id: upload.appointment_id,
        procedure_id: upload.procedure_id,
    };
    photos::check_claims(&state, claims).await?;
    let prepared = state.images.prepare(file).await?;
    let row = photos::store(&state, &caller, claims, upload.kind, upload.view, prepared).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/photos/{}", row.id)))
        .json(Photo::from(row)))
}
