//! `/consultations`: drafts by their author, signing, amendments.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use crate::api::notes::{
    consultation_content, Amendment, Consultation, CreateAmendment, CreateConsultation,
};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::notes::{self, ConsultationRow};
use crate::db::models::{appointments, patients};
use crate::db::types::{ConsultationId, NoteId};
use crate::db::DbConnection;
use crate::domain::clinical::{eligibility, NoteStatus};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::notes::{self as rules, CONSULTATION_AMENDABLE, CONSULTATION_PATCHABLE};
use crate::state::AppState;

/// The note as the API shows it (built inside the transaction, answered outside it).
fn view(conn: &mut DbConnection, row: ConsultationRow) -> Result<Consultation, ApiError> {
    let amendments = notes::amendments_of(conn, "consultation", NoteId(row.id.0))?;
    Ok(Consultation::from_row(row, amendments))
}

fn respond(status: StatusCode, note: Consultation) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{}\"", note.version)))
        .json(note)
}

fn store_content(
    row: &mut ConsultationRow,
    content: &crate::api::notes::ConsultationContent,
) -> Result<(), ApiError> {
    let computed = eligibility(
        &content.contraindications,
        content.contraindication_other.as_deref(),
        &content.contraindication_overrides,
        content.eligibility,
    );
    row.concerns = serde_json::to_string(&content.concerns).map_err(ApiError::internal)?;
    row.subjective = content.subjective.clone();
    row.objective = content.objective.clone();
    row.assessment = content.assessment.clone();
    row.plan = content.plan.clone();
    row.contraindications =
        serde_json::to_string(&content.contraindications).map_err(ApiError::internal)?;
    row.contraindication_other = content
        .contraindication_other
        .clone()
        .filter(|o| !o.trim().is_empty());
    row.contraindication_overrides =
        serde_json::to_string(&content.contraindication_overrides).map_err(ApiError::internal)?;
    row.eligibility = computed;
    Ok(())
}

/// Starts a consultation draft. Eligibility is computed: a contraindication without
/// an override reason makes it `not_eligible` whatever was sent.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "clinical", request_body = CreateConsultation,
    responses((status = 201, body = Consultation), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateConsultation>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let content = body.content();
    content.validate()?;
    let author = caller.user_id;
    let who = caller.clone();
    let (note, _) = state
        .write(move |conn, audit| {
            let (note, patient) = {
                patients::find(conn, body.patient_id)?
                    .ok_or_else(|| ApiError::validation("patient_id", "no such patient"))?;
                if let Some(a) = body.appointment_id {
                    let appt = appointments::find(conn, a)?.ok_or_else(|| {
                        ApiError::validation("appointment_id", "no such appointment")
                    })?;
                    if appt.patient_id != body.patient_id {
                        return Err(ApiError::validation(
                            "appointment_id",
                            "is another patient's appointment",
                        ));
                    }
                }
                let now = crate::db::now();
                let mut row = ConsultationRow {
                    id: ConsultationId::new(),
                    patient_id: body.patient_id,
                    appointment_id: body.appointment_id,
                    author_id: author,
                    status: NoteStatus::Draft,
                    concerns: String::new(),
                    subjective: String::new(),
                    objective: String::new(),
                    assessment: String::new(),
                    plan: String::new(),
                    contraindications: String::new(),
                    contraindication_other: None,
                    contraindication_overrides: String::new(),
                    // store_content sets the computed value just below.
                    eligibility: content.eligibility,
                    signed_at: None,
                    signed_by: None,
                    content_sha256: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                store_content(&mut row, &content)?;
                notes::insert_consultation(conn, &row)?;
                let patient = row.patient_id;
                Ok::<_, ApiError>((view(conn, row)?, patient))
            }?;
            audit.push(who.event(AuditAction::Create, "consultation", None, Some(patient)));
            Ok((note, patient))
        })
        .await?;
    let location = format!("/api/v1/consultations/{}", note.id);
    let mut response = respond(StatusCode::CREATED, note);
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// A consultation with every amendment, in order.
#[utoipa::path(get, path = "/api/v1/consultations/{id}", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = Consultation), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsultationId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let (note, patient) = state
        .db(move |conn| {
            let row = notes::find_consultation(conn, id)?.ok_or(ApiError::NotFound)?;
            let patient = row.patient_id;
            Ok((view(conn, row)?, patient))
        })
        .await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Read,
            "consultation",
            Some(id.to_string()),
            Some(patient),
        ))
        .await?;
    Ok(respond(StatusCode::OK, note))
}

/// Edits a draft (its author only; JSON Merge Patch of the clinical fields; `If-Match`).
#[utoipa::path(patch, path = "/api/v1/consultations/{id}", tag = "clinical", params(("id" = String, Path)),
    request_body = Object,
    responses((status = 200, body = Consultation), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<ConsultationId>,
    body: Json<Map<String, Value>>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let expected = if_match_version(&req)?;
    let patch = body.into_inner();
    let c = caller.clone();
    let (note, _) = state
        .write(move |conn, audit| {
            let (note, patient) = {
                let mut row = notes::find_consultation(conn, id)?.ok_or(ApiError::NotFound)?;
                rules::require_author(&c, row.author_id)?;
                rules::require_draft(row.status)?;
                if expected.is_some_and(|v| v != row.version) {
                    return Err(ApiError::PreconditionFailed);
                }
                let content =
                    rules::patched(&consultation_content(&row), &patch, &CONSULTATION_PATCHABLE)?;
                content.validate()?;
                store_content(&mut row, &content)?;
                let version = row.version;
                row.version += 1;
                row.updated_at = crate::db::now();
                if !notes::save_consultation(conn, &row, version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                let patient = row.patient_id;
                Ok::<_, ApiError>((view(conn, row)?, patient))
            }?;
            audit.push(c.event(
                AuditAction::Update,
                "consultation",
                Some(id.to_string()),
                Some(patient),
            ));
            Ok((note, patient))
        })
        .await?;
    Ok(respond(StatusCode::OK, note))
}

/// Signs a draft: locked for ever, carrying the SHA-256 of its content.
#[utoipa::path(post, path = "/api/v1/consultations/{id}/sign", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = Consultation), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn sign_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsultationId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let c = caller.clone();
    let (note, _) = state
        .write(move |conn, audit| {
            let (note, patient) = {
                let mut row = notes::find_consultation(conn, id)?.ok_or(ApiError::NotFound)?;
                rules::require_author(&c, row.author_id)?;
                rules::require_draft(row.status)?;
                let version = row.version;
                row.content_sha256 = Some(rules::consultation_hash(
                    NoteId(row.id.0),
                    &consultation_content(&row),
                )?);
                row.status = NoteStatus::Signed;
                row.signed_at = Some(crate::db::now());
                row.signed_by = Some(c.user_id);
                row.version += 1;
                row.updated_at = crate::db::now();
                if !notes::save_consultation(conn, &row, version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                let patient = row.patient_id;
                Ok::<_, ApiError>((view(conn, row)?, patient))
            }?;
            audit.push(c.event(
                AuditAction::Sign,
                "consultation",
                Some(id.to_string()),
                Some(patient),
            ));
            Ok((note, patient))
        })
        .await?;
    Ok(respond(StatusCode::OK, note))
}

/// Amends a signed consultation (its author; a reason; only the narrative fields —
/// contraindications and eligibility need a new consultation).
#[utoipa::path(post, path = "/api/v1/consultations/{id}/amendments", tag = "clinical", params(("id" = String, Path)),
    request_body = CreateAmendment,
    responses((status = 201, body = Amendment), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn amend_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsultationId>,
    body: Json<CreateAmendment>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body = body.into_inner();
    let c = caller.clone();
    let (amendment, _) = state
        .write(move |conn, audit| {
            let (amendment, patient) = {
                let row = notes::find_consultation(conn, id)?.ok_or(ApiError::NotFound)?;
                rules::require_amender(conn, &c, row.author_id)?;
                if row.status != NoteStatus::Signed {
                    return Err(ApiError::Conflict("A draft is edited, not amended.".into()));
                }
                if body.reason.trim().is_empty() {
                    return Err(ApiError::validation("reason", "is required"));
                }
                let content = rules::patched(
                    &consultation_content(&row),
                    &body.changes,
                    &CONSULTATION_AMENDABLE,
                )?;
                content.validate()?;
                let a = rules::amend(
                    conn,
                    "consultation",
                    NoteId(row.id.0),
                    c.user_id,
                    &body.reason,
                    &body.changes,
                )?;
                Ok::<_, ApiError>((a, row.patient_id))
            }?;
            audit.push(c.event(
                AuditAction::Amend,
                "consultation",
                Some(id.to_string()),
                Some(patient),
            ));
            Ok((amendment, patient))
        })
        .await?;
    Ok(HttpResponse::Created().json(Amendment::from(amendment)))
}

/// Deletes a draft (its author only); a signed note is never deleted (409).
#[utoipa::path(delete, path = "/api/v1/consultations/{id}", tag = "clinical", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_consultation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsultationId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let c = caller.clone();
    state
        .write(move |conn, audit| {
            let patient = {
                let row = notes::find_consultation(conn, id)?.ok_or(ApiError::NotFound)?;
                rules::require_author(&c, row.author_id)?;
                rules::require_draft(row.status)?;
                notes::delete_consultation(conn, id)?;
                Ok::<_, ApiError>(row.patient_id)
            }?;
            audit.push(c.event(
                AuditAction::Delete,
                "consultation",
                Some(id.to_string()),
                Some(patient),
            ));
            Ok(patient)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
