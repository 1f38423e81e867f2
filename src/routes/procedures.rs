//! `/procedures`: procedure notes behind the consent and eligibility gates; recall by lot.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use crate::api::notes::{
    procedure_content, Amendment, CreateAmendment, CreateProcedure, Procedure, ProcedureContent,
    ProcedureList, ProcedureQuery,
};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::notes::{self, ProcedureRow};
use crate::db::models::patients;
use crate::db::types::{NoteId, ProcedureId};
use crate::db::DbConnection;
use crate::domain::clinical::NoteStatus;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{if_match_version, Json};
use crate::notes::{self as rules, PROCEDURE_AMENDABLE};
use crate::state::AppState;

/// The note as the API shows it (built inside the transaction, answered outside it).
fn view(conn: &mut DbConnection, row: ProcedureRow) -> Result<Procedure, ApiError> {
    let amendments = notes::amendments_of(conn, "procedure", NoteId(row.id.0))?;
    Procedure::from_row(row, amendments)
}

fn respond(status: StatusCode, note: Procedure) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{}\"", note.version)))
        .json(note)
}

fn to_json(value: &impl serde::Serialize) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

/// Puts the content on the row (stored as JSON per part).
fn apply_content(row: &mut ProcedureRow, content: &ProcedureContent) -> Result<(), ApiError> {
    row.preparation = to_json(&content.preparation)?;
    row.harvest = to_json(&content.harvest)?;
    row.processing = to_json(&content.processing)?;
    row.application = to_json(&content.application)?;
    row.products = to_json(&content.products)?;
    row.complications = content.complications.clone();
    row.aftercare = content.aftercare.clone();
    Ok(())
}

/// Keeps the recall index (product lots) in step with the note.
fn index_lots(
    conn: &mut DbConnection,
    row: &ProcedureRow,
    content: &ProcedureContent,
) -> Result<(), ApiError> {
    let lots: Vec<_> = content
        .products
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.lot_number.trim().to_owned(),
                p.expiry_date,
            )
        })
        .collect();
    notes::replace_products(conn, row.id, &lots)?;
    Ok(())
}

/// Records a procedure (draft). Refused (409) unless the patient held a valid consent
/// for the service and was found eligible, as of `performed_at`.
#[utoipa::path(post, path = "/api/v1/procedures", tag = "clinical", request_body = CreateProcedure,
    responses((status = 201, body = Procedure), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateProcedure>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let performed_at = crate::api::plausible("performed_at", body.performed_at)?;
    let content = body.content();
    content.validate(crate::domain::schedule::local_date(
        state.settings.clinic_timezone,
        performed_at,
    ))?;
    let author = caller.user_id;
    let who = caller.clone();
    let (note, _) = state
        .write(move |conn, audit| {
            let (note, patient) = {
                patients::find(conn, body.patient_id)?
                    .ok_or_else(|| ApiError::validation("patient_id", "no such patient"))?;
                let now = crate::db::now();
                let mut row = ProcedureRow {
                    id: ProcedureId::new(),
                    patient_id: body.patient_id,
                    appointment_id: body.appointment_id,
                    service_id: body.service_id,
                    consent_id: body.consent_id,
                    author_id: author,
                    status: NoteStatus::Draft,
                    performed_at,
                    preparation: String::new(),
                    harvest: String::new(),
                    processing: String::new(),
                    application: String::new(),
                    products: String::new(),
                    complications: String::new(),
                    aftercare: String::new(),
                    signed_at: None,
                    signed_by: None,
                    content_sha256: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                rules::procedure_gates(conn, &row)?;
                apply_content(&mut row, &content)?;
                notes::insert_procedure(conn, &row)?;
                index_lots(conn, &row, &content)?;
                let patient = row.patient_id;
                Ok::<_, ApiError>((view(conn, row)?, patient))
            }?;
            audit.push(who.event(AuditAction::Create, "procedure", None, Some(patient)));
            Ok((note, patient))
        })
        .await?;
    let location = format!("/api/v1/procedures/{}", note.id);
    let mut response = respond(StatusCode::CREATED, note);
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}

/// A procedure with every amendment.
#[utoipa::path(get, path = "/api/v1/procedures/{id}", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = Procedure), (status = 404, body = Problem)))]
pub async fn get_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ProcedureId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let (note, patient) = state
        .db(move |conn| {
            let row = notes::find_procedure(conn, id)?.ok_or(ApiError::NotFound)?;
            let patient = row.patient_id;
            Ok((view(conn, row)?, patient))
        })
        .await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Read,
            "procedure",
            Some(id.to_string()),
            Some(patient),
        ))
        .await?;
    Ok(respond(StatusCode::OK, note))
}

/// Edits a draft (author only; JSON Merge Patch of the clinical fields; `If-Match`).
#[utoipa::path(patch, path = "/api/v1/procedures/{id}", tag = "clinical", params(("id" = String, Path)),
    request_body = Object,
    responses((status = 200, body = Procedure), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<ProcedureId>,
    body: Json<Map<String, Value>>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let expected = if_match_version(&req)?;
    let patch = body.into_inner();
    let c = caller.clone();
    let tz = state.settings.clinic_timezone;
    let who = caller.clone();
    let (note, _) = state
        .write(move |conn, audit| {
            let (note, patient) = {
                let mut row = notes::find_procedure(conn, id)?.ok_or(ApiError::NotFound)?;
                rules::require_author(&c, row.author_id)?;
                rules::require_draft(row.status)?;
                if expected.is_some_and(|v| v != row.version) {
                    return Err(ApiError::PreconditionFailed);
                }
                let content =
                    rules::patched(&procedure_content(&row)?, &patch, &PROCEDURE_AMENDABLE)?;
                content.validate(crate::domain::schedule::local_date(tz, row.performed_at))?;
                apply_content(&mut row, &content)?;
                index_lots(conn, &row, &content)?;
                let version = row.version;
                row.version += 1;
                row.updated_at = crate::db::now();
                if !notes::save_procedure(conn, &row, version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                let patient = row.patient_id;
                Ok::<_, ApiError>((view(conn, row)?, patient))
            }?;
            audit.push(who.event(
                AuditAction::Update,
                "procedure",
                Some(id.to_string()),
                Some(patient),
            ));
            Ok((note, patient))
        })
        .await?;
    Ok(respond(StatusCode::OK, note))
}

/// Signs a draft after re-running the gates; locked for ever with its content hash.
#[utoipa::path(post, path = "/api/v1/procedures/{id}/sign", tag = "clinical", params(("id" = String, Path)),
    responses((status = 200, body = Procedure), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn sign_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ProcedureId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let c = caller.clone();
    let (note, _) = state
        .write(move |conn, audit| {
            let (note, patient) = {
                let mut row = notes::find_procedure(conn, id)?.ok_or(ApiError::NotFound)?;
                rules::require_author(&c, row.author_id)?;
                rules::require_draft(row.status)?;
                rules::procedure_gates(conn, &row)?;
                let version = row.version;
                row.content_sha256 = Some(rules::procedure_hash(&row, &procedure_content(&row)?)?);
                row.status = NoteStatus::Signed;
                row.signed_at = Some(crate::db::now());
                row.signed_by = Some(c.user_id);
                row.version += 1;
                row.updated_at = crate::db::now();
                if !notes::save_procedure(conn, &row, version)? {
                    return Err(ApiError::PreconditionFailed);
                }
                let patient = row.patient_id;
                Ok::<_, ApiError>((view(conn, row)?, patient))
            }?;
            audit.push(c.event(
                AuditAction::Sign,
                "procedure",
                Some(id.to_string()),
                Some(patient),
            ));
            Ok((note, patient))
        })
        .await?;
    Ok(respond(StatusCode::OK, note))
}

/// Amends a signed procedure note (author; reason; clinical fields only).
#[utoipa::path(post, path = "/api/v1/procedures/{id}/amendments", tag = "clinical", params(("id" = String, Path)),
    request_body = CreateAmendment,
    responses((status = 201, body = Amendment), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn amend_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ProcedureId>,
    body: Json<CreateAmendment>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body = body.into_inner();
    let c = caller.clone();
    let tz = state.settings.clinic_timezone;
    let who = caller.clone();
    let (amendment, _) = state
        .write(move |conn, audit| {
            let (amendment, patient) = {
                let row = notes::find_procedure(conn, id)?.ok_or(ApiError::NotFound)?;
                rules::require_amender(conn, &c, row.author_id)?;
                if row.status != NoteStatus::Signed {
                    return Err(ApiError::Conflict("A draft is edited, not amended.".into()));
                }
                if body.reason.trim().is_empty() {
                    return Err(ApiError::validation("reason", "is required"));
                }
                let content = rules::patched(
                    &procedure_content(&row)?,
                    &body.changes,
                    &PROCEDURE_AMENDABLE,
                )?;
                content.validate(crate::domain::schedule::local_date(tz, row.performed_at))?;
                let a = rules::amend(
                    conn,
                    "procedure",
                    NoteId(row.id.0),
                    c.user_id,
                    &body.reason,
                    &body.changes,
                )?;
                // An amended lot must be found by a recall too (the original lots stay).
                if body.changes.contains_key("products") {
                    let lots: Vec<_> = content
                        .products
                        .iter()
                        .map(|p| {
                            (
                                p.name.clone(),
                                p.lot_number.trim().to_owned(),
                                p.expiry_date,
                            )
                        })
                        .collect();
                    notes::add_products(conn, row.id, &lots)?;
                }
                Ok::<_, ApiError>((a, row.patient_id))
            }?;
            audit.push(who.event(
                AuditAction::Amend,
                "procedure",
                Some(id.to_string()),
                Some(patient),
            ));
            Ok((amendment, patient))
        })
        .await?;
    Ok(HttpResponse::Created().json(Amendment::from(amendment)))
}

/// Every procedure that used a product lot (for a recall), with the patients' ids.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "clinical", params(ProcedureQuery),
    responses((status = 200, body = ProcedureList), (status = 403, body = Problem)))]
pub async fn procedures_by_lot(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ProcedureQuery>,
) -> ApiResult<web::Json<ProcedureList>> {
    let lot = query.into_inner().product_lot.trim().to_owned();
    if lot.is_empty() || lot.chars().count() > 200 {
        return Err(ApiError::validation(
            "product_lot",
            "must be 1 to 200 characters",
        ));
    }
    let items = state
        .db(move |conn| {
            let mut items = Vec::new();
            for row in notes::procedures_with_lot(conn, &lot)? {
                let amendments = notes::amendments_of(conn, "procedure", NoteId(row.id.0))?;
                items.push(Procedure::from_row(row, amendments)?);
            }
            Ok(items)
        })
        .await?;
    let mut patients: Vec<_> = items.iter().map(|p| p.patient_id).collect();
    patients.sort();
    patients.dedup();
    state
        .audit
        .record_all(
            patients
                .into_iter()
                .map(|p| caller.patient_event(AuditAction::Search, p))
                .collect(),
        )
        .await?;
    Ok(web::Json(ProcedureList { items }))
}

/// Deletes a draft (its author only); a signed note is never deleted (409).
#[utoipa::path(delete, path = "/api/v1/procedures/{id}", tag = "clinical", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_procedure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ProcedureId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let c = caller.clone();
    state
        .write(move |conn, audit| {
            let patient = {
                let row = notes::find_procedure(conn, id)?.ok_or(ApiError::NotFound)?;
                rules::require_author(&c, row.author_id)?;
                rules::require_draft(row.status)?;
                let referenced = !crate::db::models::samples::of_procedure(conn, id)?.is_empty()
                    || crate::db::models::adverse::of_patient(conn, row.patient_id)?
                        .iter()
                        .any(|a| a.procedure_id == Some(id))
                    || crate::db::models::photos::count_of_procedure(conn, id)? > 0;
                if referenced {
                    return Err(ApiError::Conflict(
                        "Samples, adverse events or photos refer to this procedure; it cannot be deleted."
                            .into(),
                    ));
                }
                notes::delete_procedure(conn, id)?;
                Ok::<_, ApiError>(row.patient_id)
            }?;
            audit.push(c.event(
            AuditAction::Delete,
            "procedure",
            Some(id.to_string()),
            Some(patient),
        ));
            Ok(patient)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
