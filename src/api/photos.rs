//! Photo metadata as the API shows it (the bytes are served by `GET /photos/{id}`).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::photos::PhotoRow;
use crate::db::types::{AppointmentId, PatientId, PhotoId, ProcedureId, UserId};
use crate::domain::photo::{PhotoKind, PhotoView};

/// A clinical photo's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct Photo {
    pub id: PhotoId,
    pub patient_id: PatientId,
    pub taken_at: DateTime<Utc>,
    #[schema(value_type = PhotoKind)]
    pub kind: String,
    #[schema(value_type = PhotoView)]
    pub view: String,
    pub appointment_id: Option<AppointmentId>,
    pub procedure_id: Option<ProcedureId>,
    /// `image/jpeg` or `image/png`: the re-encoded file, not what was uploaded.
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub byte_size: i64,
    /// SHA-256 (hex) of the stored bytes.
    pub sha256: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub taken_by: UserId,
    pub created_at: DateTime<Utc>,
    /// Where the bytes are (`?size=thumb` for the thumbnail).
    pub url: String,
}

impl From<PhotoRow> for Photo {
    fn from(r: PhotoRow) -> Self {
        Photo {
            url: format!("/api/v1/photos/{}", r.id),
            id: r.id,
            patient_id: r.patient_id,
            taken_at: super::instant(r.taken_at),
            kind: r.kind,
            view: r.view,
            appointment_id: r.appointment_id,
            procedure_id: r.procedure_id,
            content_type: r.content_type,
            width: r.width,
            height: r.height,
            byte_size: r.byte_size,
            sha256: r.sha256,
            thumb_width: r.thumb_width,
            thumb_height: r.thumb_height,
            taken_by: r.taken_by,
            created_at: super::instant(r.created_at),
        }
    }
}

/// A photo as its patient sees it: the staff member by name, not by user id
/// (SPEC §6 "What patients see"), and the bytes under `/me/photos/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyPhoto {
    pub id: PhotoId,
    pub taken_at: DateTime<Utc>,
    #[schema(value_type = PhotoKind)]
    pub kind: String,
    #[schema(value_type = PhotoView)]
    pub view: String,
    pub appointment_id: Option<AppointmentId>,
    pub procedure_id: Option<ProcedureId>,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub thumb_width: i32,
    pub thumb_height: i32,
    /// The display name of who took it.
    pub taken_by: String,
    pub url: String,
}

impl MyPhoto {
    pub fn from_row(r: PhotoRow, taken_by: String) -> MyPhoto {
        MyPhoto::from_photo(&Photo::from(r), taken_by)
    }

    /// The patient's view of a photo's metadata (one shape for `/me/photos` and `/me/record`).
    pub fn from_photo(p: &Photo, taken_by: String) -> MyPhoto {
        MyPhoto {
            url: format!("/api/v1/me/photos/{}", p.id),
            id: p.id,
            taken_at: p.taken_at,
            kind: p.kind.clone(),
            view: p.view.clone(),
            appointment_id: p.appointment_id,
            procedure_id: p.procedure_id,
            content_type: p.content_type.clone(),
            width: p.width,
            height: p.height,
            thumb_width: p.thumb_width,
            thumb_height: p.thumb_height,
            taken_by,
        }
    }
}

/// `multipart/form-data` parts of an upload (documentation of the form; the handler
/// reads the parts as a stream).
#[derive(Debug, ToSchema)]
pub struct PhotoUpload {
    /// JPEG, PNG or WebP, at most 20 MiB. Its name and declared type are ignored.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub taken_at: DateTime<Utc>,
    pub kind: PhotoKind,
    pub view: PhotoView,
    pub appointment_id: Option<AppointmentId>,
    pub procedure_id: Option<ProcedureId>,
}

/// `?size=`: the stored photo (default) or its thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhotoSize {
    #[default]
    Full,
    Thumb,
}

/// Two photos of one view side by side.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoComparison {
    #[schema(value_type = PhotoView)]
    pub view: String,
    pub before: Photo,
    pub after: Photo,
    /// Whole days from `before.taken_at` to `after.taken_at`.
    pub interval_days: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MyPhotosQuery {
    /// Page size: default 50, larger values are clamped to 200.
    #[serde(default, deserialize_with = "crate::api::pagination::lenient_limit")]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    #[serde(default, deserialize_with = "crate::api::pagination::optional_cursor")]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PhotoListQuery {
    #[param(inline)]
    pub view: Option<PhotoView>,
    #[param(inline)]
    pub kind: Option<PhotoKind>,
    /// Page size: default 50, larger values are clamped to 200.
    #[serde(default, deserialize_with = "crate::api::pagination::lenient_limit")]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page; empty or absent for the first.
    #[serde(default, deserialize_with = "crate::api::pagination::optional_cursor")]
    pub cursor: Option<String>,
}

/// `?size=` of the byte routes.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SizeQuery {
    /// `thumb` for the thumbnail (longest side 320 px); the stored photo otherwise.
    #[param(inline)]
    pub size: Option<PhotoSize>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    /// Required unless both `before` and `after` are given.
    #[param(inline)]
    pub view: Option<PhotoView>,
    /// A photo id of this patient; default: the latest `before` photo of the view
    /// taken no later than the `after` photo.
    pub before: Option<PhotoId>,
    /// A photo id of this patient; default: the latest `after` or `follow_up` photo of the view.
    pub after: Option<PhotoId>,
}
