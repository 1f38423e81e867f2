//! The one place for what a photo must pass before it is kept — the patient exists,
//! its appointment and procedure are that patient's, and a photography consent was
//! valid as of `taken_at` — and for keeping it: files first, then the row, and the
//! files undone if the row is refused, so a refusal leaves nothing behind.
use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::api::pagination::{self, TimeCursor};
use crate::api::photos::PhotoSize;
use crate::audit::AuditAction;
use crate::auth::{Caller, Me};
use crate::db::models::photos::{self, PhotoFilter, PhotoRow};
use crate::db::models::users;
use crate::db::models::{appointments, consents, notes, patients};
use crate::db::types::{AppointmentId, PatientId, PhotoId, ProcedureId};
use crate::db::DbConnection;
use crate::domain::consent::{any_consent_covers, ConsentProblem, ConsentScope};
use crate::domain::photo::{comparison_interval, ComparisonProblem, PhotoKind, PhotoView};
use crate::error::ApiError;
use crate::imaging::{PreparedPhoto, StoredFormat};
use crate::media::{MediaKey, MediaStore, Stored};
use crate::state::AppState;

/// What an upload claims about the photo, parsed.
#[derive(Debug, Clone, Copy)]
pub struct PhotoClaims {
    pub patient_id: PatientId,
    pub taken_at: NaiveDateTime,
    pub appointment_id: Option<AppointmentId>,
    pub procedure_id: Option<ProcedureId>,
}

/// Every rule an upload must meet in the database: 404 unknown patient, 422 a link to
/// someone else's (or no) appointment or procedure, 409 without photography consent.
pub fn upload_gates(conn: &mut DbConnection, claims: &PhotoClaims) -> Result<(), ApiError> {
    let patient = claims.patient_id;
    patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
    if let Some(a) = claims.appointment_id {
        let appt = appointments::find(conn, a)?
            .ok_or_else(|| ApiError::validation("appointment_id", "no such appointment"))?;
        if appt.patient_id != patient {
            return Err(ApiError::validation(
                "appointment_id",
                "is another patient's appointment",
            ));
        }
    }
    if let Some(p) = claims.procedure_id {
        let procedure = notes::find_procedure(conn, p)?
            .ok_or_else(|| ApiError::validation("procedure_id", "no such procedure"))?;
        if procedure.patient_id != patient {
            return Err(ApiError::validation(
                "procedure_id",
                "is another patient's procedure",
            ));
        }
    }
    photography_gate(conn, patient, claims.taken_at)
}

/// SPEC §3 "A photo cannot be stored without a photography consent valid as of its
/// `taken_at`": any photography-scope consent of the patient that passes the
/// consent gate (`domain::consent`) as of that instant.
fn photography_gate(
    conn: &mut DbConnection,
    patient: PatientId,
    taken_at: NaiveDateTime,
) -> Result<(), ApiError> {
    let mut candidates = Vec::new();
    for consent in consents::of_patient(conn, patient)? {
        let template =
            consents::find_template(conn, consent.template_id)?.ok_or(ApiError::NotFound)?;
        if template.scope != ConsentScope::Photography {
            continue;
        }
        let versions: Vec<_> = consents::family(conn, consent.family_id)?
            .iter()
            .map(|t| t.published())
            .collect();
        candidates.push((consent.facts(template.version), versions));
    }
    any_consent_covers(
        candidates
            .iter()
            .map(|(facts, versions)| (facts, versions.as_slice())),
        taken_at,
    )
    .map_err(|problem| {
        let why = match problem {
            ConsentProblem::Missing => "the patient has no photography consent".to_owned(),
            ConsentProblem::SignedAfterTheAct => {
                "the photography consent was signed after the photo was taken".to_owned()
            }
            other => other.describe(),
        };
        ApiError::Conflict(format!("Photography consent missing as of taken_at: {why}"))
    })
}

async fn on_blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    actix_web::web::block(work)
        .await?
        .map_err(|e| ApiError::internal(anyhow::Error::new(e).context("media store")))
}

/// Writes the file and thumbnail, then the row and its audit row (re-checking the
/// gates in the same transaction). If the row is refused, files this call wrote are
/// removed again.
pub async fn keep(
    state: &AppState,
    claims: PhotoClaims,
    bytes: Vec<u8>,
    thumb: Vec<u8>,
    row: impl FnOnce(&MediaKey, &MediaKey) -> PhotoRow + Send + 'static,
    event: impl FnOnce(&PhotoRow) -> crate::audit::AuditEvent + Send + 'static,
) -> Result<PhotoRow, ApiError> {
    let store: Arc<dyn MediaStore> = state.media.clone();
    let (file, small) = on_blocking(move || {
        let file = store.put(&bytes)?;
        let small = store.put(&thumb)?;
        Ok((file, small))
    })
    .await?;
    let row = row(&file.key, &small.key);
    let inserted = state
        .write(move |conn, audit| {
            upload_gates(conn, &claims)?;
            photos::insert(conn, &row)?;
            audit.push(event(&row));
            Ok(row)
        })
        .await;
    if inserted.is_err() {
        let store = state.media.clone();
        let mut written: Vec<Stored> = [file, small]
            .into_iter()
            .filter(|s| s.newly_written)
            .collect();
        // Files are shared by content: an identical upload that raced this one may
        // have a row naming the same key by now, and its file must stay.
        let keys: Vec<String> = written.iter().map(|s| s.key.to_string()).collect();
        let in_use = state
            .db(move |conn| {
                keys.iter()
                    .map(|k| Ok(photos::key_in_use(conn, k)?))
                    .collect::<Result<Vec<bool>, ApiError>>()
            })
            .await
            .unwrap_or_else(|_| vec![true; 2]);
        let mut flags = in_use.into_iter();
        written.retain(|_| !flags.next().unwrap_or(true));
        if let Err(err) = on_blocking(move || {
            for s in written {
                store.remove(&s.key)?;
            }
            Ok(())
        })
        .await
        {
            tracing::error!(error = %format!("{err:#}"), "could not undo a photo's files");
        }
    }
    inserted
}

/// A patient on file (404 otherwise): checked before an upload's body is read.
pub async fn require_patient(state: &AppState, patient: PatientId) -> Result<(), ApiError> {
    state
        .db(move |conn| patients::find(conn, patient)?.ok_or(ApiError::NotFound))
        .await?;
    Ok(())
}

/// The upload's gates, before the costly decode (`keep` checks them again).
pub async fn check_claims(state: &AppState, claims: PhotoClaims) -> Result<(), ApiError> {
    state.db(move |conn| upload_gates(conn, &claims)).await
}

/// Keeps a prepared (re-encoded) photo of the patient with its kind and view, taken
/// by the caller: files, row and audit row (see `keep`).
pub async fn store(
    state: &AppState,
    caller: &Caller,
    claims: PhotoClaims,
    kind: PhotoKind,
    view: PhotoView,
    prepared: PreparedPhoto,
) -> Result<PhotoRow, ApiError> {
    let by = caller.user_id;
    let patient = claims.patient_id;
    let caller = caller.clone();
    let meta = (
        prepared.format,
        prepared.width,
        prepared.height,
        prepared.bytes.len(),
        prepared.thumb_width,
        prepared.thumb_height,
    );
    keep(
        state,
        claims,
        prepared.bytes,
        prepared.thumb,
        move |file, thumb| {
            let (format, width, height, size, thumb_width, thumb_height) = meta;
            PhotoRow {
                id: PhotoId::new(),
                patient_id: patient,
                taken_at: claims.taken_at,
                kind: kind.as_str().to_owned(),
                view: view.as_str().to_owned(),
                appointment_id: claims.appointment_id,
                procedure_id: claims.procedure_id,
                content_type: format.content_type().to_owned(),
                width: i32::try_from(width).unwrap_or(i32::MAX),
                height: i32::try_from(height).unwrap_or(i32::MAX),
                byte_size: i64::try_from(size).unwrap_or(i64::MAX),
                sha256: file.to_string(),
                thumb_sha256: thumb.to_string(),
                thumb_width: i32::try_from(thumb_width).unwrap_or(i32::MAX),
                thumb_height: i32::try_from(thumb_height).unwrap_or(i32::MAX),
                taken_by: by,
                created_at: crate::db::now(),
            }
        },
        move |row| {
            caller.event(
                AuditAction::Create,
                "photo",
                Some(row.id.to_string()),
                Some(patient),
            )
        },
    )
    .await
}

/// The photo, if the caller may see it: staff see any; a patient only their own —
/// another patient's id answers exactly like an id that does not exist.
pub async fn visible(state: &AppState, caller: &Caller, id: PhotoId) -> Result<PhotoRow, ApiError> {
    let row = state
        .lookup(move |conn| Ok(photos::find(conn, id)?))
        .await?;
    match row {
        Some(row) if caller.may_reach(row.patient_id) => Ok(row),
        // The same answer whether the id is another patient's or nobody's; the guard
        // audits a patient's 404 as `access_denied` (one place for that rule).
        _ => Err(ApiError::NotFound),
    }
}

/// A photo's bytes opened for reading.
pub struct OpenedPhoto {
    pub format: StoredFormat,
    /// The name it is served under: of our own making (the client's is never kept).
    pub file_name: String,
    pub len: u64,
    pub reader: Box<dyn std::io::Read + Send>,
}

/// Opens a photo's bytes (or its thumbnail), audited as a read of that patient.
pub async fn open(
    state: &AppState,
    caller: &Caller,
    row: PhotoRow,
    size: PhotoSize,
) -> Result<OpenedPhoto, ApiError> {
    let patient: PatientId = row.patient_id;
    let format = StoredFormat::of_content_type(&row.content_type).ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "photo {} has an unknown content type",
            row.id
        ))
    })?;
    let (key, suffix) = match size {
        PhotoSize::Full => (&row.sha256, ""),
        PhotoSize::Thumb => (&row.thumb_sha256, "-thumb"),
    };
    let key = MediaKey::parse(key).ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "photo {} has a malformed media key",
            row.id
        ))
    })?;
    state
        .audit
        .record(caller.event(
            AuditAction::Read,
            "photo",
            Some(row.id.to_string()),
            Some(patient),
        ))
        .await?;
    let store = state.media.clone();
    let opened = on_blocking(move || store.open(&key))
        .await?
        .ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!(
                "photo {} is missing from the media store",
                row.id
            ))
        })?;
    Ok(OpenedPhoto {
        format,
        file_name: format!("photo-{}{suffix}.{}", row.id, format.extension()),
        len: opened.len,
        reader: opened.reader,
    })
}

/// One page of a patient's photos, newest first by `taken_at`, with the
/// cursor of the next (shared by the staff list and `/me/photos`).
async fn page_of_photos(
    state: &AppState,
    patient: PatientId,
    filter: PhotoFilter,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Result<(Vec<PhotoRow>, Option<String>), ApiError> {
    let limit = pagination::limit(limit)?;
    let after = TimeCursor::decode(cursor)?.map(|c| (c.t, PhotoId(c.id)));
    let rows = state
        .db(move |conn| {
            patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            Ok(photos::list(conn, patient, &filter, after, limit + 1)?)
        })
        .await?;
    let (rows, more) = pagination::split_page(rows, limit);
    let next_cursor = more
        .then(|| {
            rows.last().map(|r| {
                TimeCursor {
                    t: r.taken_at,
                    id: r.id.0,
                }
                .encode()
            })
        })
        .flatten();
    Ok((rows, next_cursor))
}

/// The patient's photos (metadata), newest first, narrowed by view and kind, with the
/// next page's cursor; audited as read.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
    view: Option<PhotoView>,
    kind: Option<PhotoKind>,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Result<(Vec<PhotoRow>, Option<String>), ApiError> {
    let filter = PhotoFilter {
        view: view.map(PhotoView::as_str),
        kind: kind.map(PhotoKind::as_str),
    };
    let page = page_of_photos(state, patient, filter, limit, cursor).await?;
    state
        .audit
        .record(caller.event(AuditAction::Read, "photo", None, Some(patient)))
        .await?;
    Ok(page)
}

/// The patient's own photos, newest first, each with who took it by name (audited
/// as their own read).
pub async fn mine(
    state: &AppState,
    who: &Me,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Result<(Vec<(PhotoRow, String)>, Option<String>), ApiError> {
    let (rows, next_cursor) =
        page_of_photos(state, who.patient, PhotoFilter::default(), limit, cursor).await?;
    let items = state
        .db(move |conn| {
            let mut names = HashMap::new();
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let name = match names.get(&row.taken_by) {
                    Some(name) => String::clone(name),
                    None => {
                        let name = users::find(conn, row.taken_by)
                            .map(|u| u.display_name)
                            .unwrap_or_else(|_| "Clinic staff".into());
                        names.insert(row.taken_by, name.clone());
                        name
                    }
                };
                items.push((row, name));
            }
            Ok(items)
        })
        .await?;
    who.audit_read(state, "photo", None).await?;
    Ok((items, next_cursor))
}

/// One of the patient's own photos (another patient's id answers like an unknown one).
pub async fn one_of_mine(state: &AppState, who: &Me, id: PhotoId) -> Result<PhotoRow, ApiError> {
    let row = visible(state, &who.caller, id).await?;
    if row.patient_id != who.patient {
        return Err(ApiError::NotFound);
    }
    Ok(row)
}

fn stored_view(row: &PhotoRow) -> Result<PhotoView, ApiError> {
    PhotoView::parse(&row.view)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("photo {} has an unknown view", row.id)))
}

/// Which photos to compare: a view, and either or both ids.
pub struct CompareRequest {
    pub view: Option<PhotoView>,
    pub before: Option<PhotoId>,
    pub after: Option<PhotoId>,
}

/// A before and an after photo of one view, and the days between them.
pub struct Comparison {
    pub view: PhotoView,
    pub before: PhotoRow,
    pub after: PhotoRow,
    pub interval_days: i64,
}

/// Pairs two photos of the same view: the ones named, or the latest before/after
/// pair of the view. Photos of another patient are unknown ids here (422), different
/// views are refused (422), and no pair at all is 404. Audited as a read.
pub async fn compare(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
    q: CompareRequest,
) -> Result<Comparison, ApiError> {
    if q.view.is_none() && (q.before.is_none() || q.after.is_none()) {
        return Err(ApiError::validation(
            "view",
            "is required unless both before and after are given",
        ));
    }
    let (before, after) = state
        .db(move |conn| {
            patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            let named = |conn: &mut DbConnection, field: &'static str, id: PhotoId| {
                photos::find(conn, id)?
                    .filter(|p| p.patient_id == patient)
                    .ok_or_else(|| ApiError::validation(field, "is not a photo of this patient"))
            };
            let view = q.view.map(PhotoView::as_str);
            let after_kinds = PhotoKind::AFTER_SIDE.map(PhotoKind::as_str);
            let after = match (q.after, view) {
                (Some(id), _) => named(conn, "after", id)?,
                (None, Some(view)) => {
                    photos::latest_of_view(conn, patient, view, &after_kinds, None)?
                        .ok_or(ApiError::NotFound)?
                }
                (None, None) => return Err(ApiError::validation("view", "is required")),
            };
            let before = match q.before {
                Some(id) => named(conn, "before", id)?,
                None => photos::latest_of_view(
                    conn,
                    patient,
                    &after.view,
                    &[PhotoKind::Before.as_str()],
                    Some(after.taken_at),
                )?
                .ok_or(ApiError::NotFound)?,
            };
            Ok((before, after))
        })
        .await?;
    let view = stored_view(&before)?;
    let interval_days = comparison_interval(
        q.view,
        (view, before.taken_at),
        (stored_view(&after)?, after.taken_at),
    )
    .map_err(|problem| match problem {
        ComparisonProblem::DifferentViews => {
            ApiError::validation("after", "shows another view than before")
        }
        ComparisonProblem::NotThisView => {
            ApiError::validation("view", "is not the view of these photos")
        }
        ComparisonProblem::AfterPrecedesBefore => {
            ApiError::validation("after", "was taken before the before photo")
        }
    })?;
    state
        .audit
        .record(caller.event(AuditAction::Read, "photo", None, Some(patient)))
        .await?;
    Ok(Comparison {
        view,
        before,
        after,
        interval_days,
    })
}
