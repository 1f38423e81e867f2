//! `GET/POST /patients/{id}/consents`, `GET /consents/{id}`.
use actix_web::{web, HttpResponse};

use crate::api::consents::{Consent, ConsentList, RequestConsent};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::consents::{self, ConsentRow};
use crate::db::models::patients;
use crate::db::types::{ConsentId, PatientId};
use crate::domain::consent::ConsentStatus;
use crate::domain::role::Role;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// Asks the patient to consent: a pending consent of the family's latest version.
#[utoipa::path(post, path = "/api/v1/patients/{id}/consents", tag = "consent", params(("id" = String, Path)),
    request_body = RequestConsent,
    responses((status = 201, body = Consent), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn request_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<RequestConsent>,
) -> ApiResult<HttpResponse> {
    let patient = id.into_inner();
    let template_id = body.into_inner().template_id;
    let by = caller.user_id;
    let who = caller.clone();
    let (row, template) = state
        .write(move |conn, audit| {
            let (row, template) = {
                patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
                let named = consents::find_template(conn, template_id)?.ok_or_else(|| {
                    ApiError::validation("template_id", "no such consent template")
                })?;
                let latest = consents::family(conn, named.family_id)?
                    .pop()
                    .unwrap_or(named);
                let row = ConsentRow {
                    id: ConsentId::new(),
                    patient_id: patient,
                    template_id: latest.id,
                    family_id: latest.family_id,
                    status: ConsentStatus::Pending,
                    requested_by: Some(by),
                    requested_at: crate::db::now(),
                    signer_name: None,
                    signer_kind: None,
                    guardian_name: None,
                    signature_png: None,
                    signed_text: None,
                    signed_text_sha256: None,
                    signed_at: None,
                    collected_by: None,
                    signed_ip: None,
                    signed_user_agent: None,
                    witness_id: None,
                    witnessed_at: None,
                    expires_at: None,
                    revoked_at: None,
                    revoked_reason: None,
                    revoked_by: None,
                    version: 1,
                };
                consents::insert(conn, &row)?;
                Ok::<_, ApiError>((row, latest))
            }?;
            audit.push(who.event(
                AuditAction::Create,
                "consent",
                Some(row.id.to_string()),
                Some(patient),
            ));
            Ok((row, template))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/api/v1/consents/{}", row.id)))
        .json(super::view(row, &template)))
}

/// A patient's consents with their status (front desk sees them too).
#[utoipa::path(get, path = "/api/v1/patients/{id}/consents", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = ConsentList), (status = 404, body = Problem)))]
pub async fn list_consents(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<web::Json<ConsentList>> {
    let patient = id.into_inner();
    let items = state
        .db(move |conn| {
            patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            let mut items = Vec::new();
            for c in consents::of_patient(conn, patient)? {
                let t = consents::find_template(conn, c.template_id)?.ok_or(ApiError::NotFound)?;
                items.push(super::view(c, &t));
            }
            Ok(items)
        })
        .await?;
    state
        .audit
        .record(caller.event(AuditAction::Read, "consent", None, Some(patient)))
        .await?;
    let items = if caller.role == Role::FrontDesk {
        items.into_iter().map(Consent::for_front_desk).collect()
    } else {
        items
    };
    Ok(web::Json(ConsentList { items }))
}

/// One consent.
#[utoipa::path(get, path = "/api/v1/consents/{id}", tag = "consent", params(("id" = String, Path)),
    responses((status = 200, body = Consent), (status = 404, body = Problem)))]
pub async fn get_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ConsentId>,
) -> ApiResult<web::Json<Consent>> {
    let id = id.into_inner();
    let (c, t) = state.db(move |conn| super::load(conn, id)).await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Read,
            "consent",
            Some(id.to_string()),
            Some(c.patient_id),
        ))
        .await?;
    let consent = super::view(c, &t);
    Ok(web::Json(if caller.role == Role::FrontDesk {
        consent.for_front_desk()
    } else {
        consent
    }))
}
