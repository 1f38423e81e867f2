//! Skin measurements per patient (each metric in its own unit), the patient's own
//! series, and the outcome table across patients.
use crate::api::measurements::{CreateMeasurement, OutcomeQuery};
use crate::audit::AuditAction;
use crate::auth::{Caller, Me};
use crate::db::models::measurements::{self, MeasurementRow};
use crate::db::models::{appointments, clinic, notes, patients};
use crate::db::types::{MeasurementId, PatientId};
use crate::domain::outcomes::{outcome_table, Metric, OutcomeTable, Reading, Series};
use crate::error::ApiError;
use crate::state::AppState;

/// Records a measurement in the metric's own unit (another unit → 422).
pub async fn record(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
    body: CreateMeasurement,
) -> Result<MeasurementRow, ApiError> {
    let measured_at = crate::api::plausible("measured_at", body.measured_at)?;
    if measured_at > crate::db::now() + chrono::Duration::minutes(1) {
        return Err(ApiError::validation(
            "measured_at",
            "may not be in the future",
        ));
    }
    if body.unit != body.metric.unit() {
        return Err(ApiError::validation(
            "unit",
            format!(
                "{} is measured in {}",
                body.metric.as_str(),
                body.metric.unit()
            ),
        ));
    }
    let (lo, hi) = body.metric.range();
    if !(body.value.is_finite() && body.value >= lo && body.value <= hi) {
        return Err(ApiError::validation(
            "value",
            format!("must be {lo} to {hi}"),
        ));
    }
    if body
        .device
        .as_deref()
        .is_some_and(|d| d.chars().count() > 200)
    {
        return Err(ApiError::validation(
            "device",
            "must be at most 200 characters",
        ));
    }
    let by = caller.user_id;
    let who = caller.clone();
    let row = state
        .write(move |conn, audit| {
            let row = {
                patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
                if let Some(a) = body.appointment_id {
                    let appt = appointments::find(conn, a)?.ok_or_else(|| {
                        ApiError::validation("appointment_id", "no such appointment")
                    })?;
                    if appt.patient_id != patient {
                        return Err(ApiError::validation(
                            "appointment_id",
                            "is another patient's appointment",
                        ));
                    }
                }
                let row = MeasurementRow {
                    id: MeasurementId::new(),
                    patient_id: patient,
                    measured_at,
                    metric: body.metric.as_str().to_owned(),
                    value: body.value,
                    unit: body.unit,
                    device: body
                        .device
                        .map(|d| d.trim().to_owned())
                        .filter(|d| !d.is_empty()),
                    appointment_id: body.appointment_id,
                    recorded_by: by,
                    created_at: crate::db::now(),
                };
                measurements::insert(conn, &row)?;
                Ok::<_, ApiError>(row)
            }?;
            audit.push(who.event(
                AuditAction::Create,
                "measurement",
                Some(row.id.to_string()),
                Some(patient),
            ));
            Ok(row)
        })
        .await?;
    Ok(row)
}

/// A patient's measurements, oldest first (one metric when given), audited as read.
pub async fn series(
    state: &AppState,
    caller: &Caller,
    patient: PatientId,
    metric: Option<Metric>,
) -> Result<Vec<MeasurementRow>, ApiError> {
    let rows = state
        .db(move |conn| {
            patients::find(conn, patient)?.ok_or(ApiError::NotFound)?;
            Ok(measurements::series(
                conn,
                patient,
                metric.map(Metric::as_str),
            )?)
        })
        .await?;
    state
        .audit
        .record(caller.event(AuditAction::Read, "measurement", None, Some(patient)))
        .await?;
    Ok(rows)
}

/// The patient's own measurements (audited as their own read).
pub async fn mine(state: &AppState, who: &Me) -> Result<Vec<MeasurementRow>, ApiError> {
    who.read(state, "measurement", None, move |conn, me| {
        Ok(measurements::series(conn, me, None)?)
    })
    .await
}

/// Change from baseline at each follow-up offset of the service, across patients.
pub async fn outcomes(state: &AppState, q: OutcomeQuery) -> Result<OutcomeTable, ApiError> {
    let metric = q.metric;
    let table = state
        .db(move |conn| {
            let service = clinic::find_service(conn, q.service_id)?
                .ok_or_else(|| ApiError::validation("service_id", "no such service"))?;
            let offsets = service.follow_up_days();
            let mut series = Vec::new();
            for procedure in notes::signed_procedures_of_service(conn, service.id)? {
                let follow_ups = appointments::follow_ups_of(conn, procedure.appointment_id)?;
                let readings =
                    measurements::series(conn, procedure.patient_id, Some(metric.as_str()))?
                        .into_iter()
                        .map(|m| Reading {
                            at: m.measured_at,
                            value: m.value,
                            follow_up_offset: m
                                .appointment_id
                                .and_then(|a| follow_ups.iter().find(|f| f.id == a))
                                .and_then(|f| f.follow_up_offset_days),
                        })
                        .collect();
                series.push(Series {
                    performed_at: procedure.performed_at,
                    readings,
                });
            }
            Ok(outcome_table(metric, &offsets, &series))
        })
        .await?;
    Ok(table)
}
