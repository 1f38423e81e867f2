//! `POST /patients`.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use diesel::Connection;

use crate::api::patients::{CreatePatient, Patient};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::patients::{self, PatientValues};
use crate::db::types::PatientId;
use crate::domain::mrn::new_mrn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// Registers a patient; the server assigns the MRN.
#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", request_body = CreatePatient,
    responses((status = 201, body = Patient), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_patient(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreatePatient>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    super::refuse_clinical_from_front_desk(&caller, body.has_clinical_fields())?;
    let fields = body.into_fields();
    fields
        .validate(Utc::now().date_naive())
        .map_err(ApiError::Validation)?;
    let values = PatientValues::from(&fields);
    // Who set the email is kept with the row (portal logins: four eyes).
    let set_by = fields.email.is_some().then_some(caller.user_id);
    let who = caller.clone();
    let row = state
        .write(move |conn, audit| {
            let now = crate::db::now();
            // MRNs are random; on the rare collision draw again (each attempt in a
            // savepoint: a failed insert must not end the transaction).
            for _ in 0..5 {
                let attempt = conn.transaction(|conn| {
                    patients::insert(conn, PatientId::new(), &new_mrn(), &values, set_by, now)
                });
                match attempt {
                    Ok(row) => {
                        audit.push(who.patient_event(AuditAction::Create, row.id));
                        return Ok(row);
                    }
                    Err(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    )) => continue,
                    Err(other) => return Err(other.into()),
                }
            }
            Err(ApiError::internal(anyhow::anyhow!(
                "could not draw a free MRN"
            )))
        })
        .await?;
    let location = format!("/api/v1/patients/{}", row.id);
    let mut response = super::patient_response(
        StatusCode::CREATED,
        Patient::from_row(row, super::sees_clinical(&caller)),
    );
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&location).map_err(ApiError::internal)?,
    );
    Ok(response)
}
