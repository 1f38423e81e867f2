//! `GET /patients/{id}/record`: the whole chart in one answer.
use actix_web::web;
use serde_json::{json, Value};

use crate::api::adverse::AdverseEvent;
use crate::api::appointments::Appointment;
use crate::api::notes::{Consultation, Procedure};
use crate::api::patients::Patient;
use crate::api::samples::Sample;
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::appointments::{self, AppointmentFilter};
use crate::db::models::{adverse, consents, notes, patients, samples};
use crate::db::types::{NoteId, PatientId};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

fn to_value(v: impl serde::Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(ApiError::internal)
}

/// The chart: patient, appointments, consultations, consents, procedures, samples,
/// photos, measurements, adverse events. Front desk gets only the patient's
/// demographics, appointments and consent status.
#[utoipa::path(get, path = "/api/v1/patients/{id}/record", tag = "patients", params(("id" = String, Path)),
    responses((status = 200, description = "The chart", body = Object), (status = 404, body = Problem)))]
pub async fn patient_record(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
) -> ApiResult<web::Json<Value>> {
    let patient = id.into_inner();
    let clinical = super::sees_clinical(&caller);
    let chart = state
        .db(move |conn| {
            let row = patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            let appts = appointments::list(
                conn,
                &AppointmentFilter { patient_id: Some(patient), ..Default::default() },
                10_000,
            )?;
            let mut consent_list = Vec::new();
            for c in consents::of_patient(conn, patient)? {
                let t = consents::find_template(conn, c.template_id)?.ok_or(ApiError::NotFound)?;
                let full = crate::routes::consents::view(c, &t);
                consent_list.push(if clinical {
                    to_value(full)?
                } else {
                    json!({"id": full.id, "title": full.title, "scope": full.scope, "status": full.status,
                           "template_version": full.template_version, "signed_at": full.signed_at,
                           "expires_at": full.expires_at, "revoked_at": full.revoked_at})
                });
            }
            let mut chart = json!({
                "patient": to_value(Patient::from_row(row, clinical))?,
                "appointments": to_value(appts.into_iter().map(Appointment::from).collect::<Vec<_>>())?,
                "consents": consent_list,
            });
            if clinical {
                let mut consultations = Vec::new();
                for c in notes::consultations_of(conn, patient)? {
                    let a = notes::amendments_of(conn, "consultation", NoteId(c.id.0))?;
                    consultations.push(Consultation::from_row(c, a));
                }
                let mut procedures = Vec::new();
                for p in notes::procedures_of(conn, patient)? {
                    let a = notes::amendments_of(conn, "procedure", NoteId(p.id.0))?;
                    procedures.push(Procedure::from_row(p, a)?);
                }
                let mut sample_list = Vec::new();
                for s in samples::of_patient(conn, patient)? {
                    let events = samples::events(conn, s.id)?;
                    sample_list.push(Sample::from_rows(s, events));
                }
                chart["consultations"] = to_value(consultations)?;
                chart["procedures"] = to_value(procedures)?;
                chart["samples"] = to_value(sample_list)?;
                chart["photos"] = to_value(
                    crate::db::models::photos::of_patient(conn, patient)?
                        .into_iter()
                        .map(crate::api::photos::Photo::from)
                        .collect::<Vec<_>>(),
                )?;
                chart["measurements"] = to_value(
                    crate::db::models::measurements::series(conn, patient, None)?
                        .into_iter()
                        .map(crate::routes::measurements::Measurement::from)
                        .collect::<Vec<_>>(),
                )?;
                chart["adverse_events"] = to_value(
                    adverse::of_patient(conn, patient)?.into_iter().map(AdverseEvent::from).collect::<Vec<_>>(),
                )?;
            }
            Ok(chart)
        })
        .await?;
    state
        .audit
        .record(caller.patient_event(AuditAction::Read, patient))
        .await?;
    Ok(web::Json(chart))
}
