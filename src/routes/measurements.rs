//! Skin measurements per patient, and the outcome table across patients.
use actix_web::{web, HttpResponse};

use crate::api::measurements::{
    CreateMeasurement, Measurement, MeasurementList, OutcomeQuery, Outcomes, SeriesQuery,
};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::measurements::{self, MeasurementRow};
use crate::db::models::{appointments, clinic, notes, patients};
use crate::db::types::{MeasurementId, PatientId};
use crate::domain::outcomes::{outcome_table, Metric, Reading, Series};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// Records a measurement in the metric's own unit (another unit → 422).
#[utoipa::path(post, path = "/api/v1/patients/{id}/measurements", tag = "outcomes", params(("id" = String, Path)),
    request_body = CreateMeasurement,
    responses((status = 201, body = Measurement), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_measurement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    body: Json<CreateMeasurement>,
) -> ApiResult<HttpResponse> {
    let patient = id.into_inner();
    let body = body.into_inner();
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
    Ok(HttpResponse::Created().json(Measurement::from(row)))
}

/// A patient's measurements, oldest first (one metric with `?metric=`).
#[utoipa::path(get, path = "/api/v1/patients/{id}/measurements", tag = "outcomes", params(("id" = String, Path), SeriesQuery),
    responses((status = 200, body = MeasurementList), (status = 404, body = Problem)))]
pub async fn list_measurements(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PatientId>,
    query: web::Query<SeriesQuery>,
) -> ApiResult<web::Json<MeasurementList>> {
    let patient = id.into_inner();
    let metric = query.into_inner().metric;
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
    Ok(web::Json(MeasurementList {
        items: rows.into_iter().map(Measurement::from).collect(),
    }))
}

/// Change from baseline at each follow-up offset of the service, across patients:
/// mean, median and n (GAIS and satisfaction raw). Each signed procedure is one series.
#[utoipa::path(get, path = "/api/v1/outcomes", tag = "outcomes", params(OutcomeQuery),
    responses((status = 200, body = Outcomes), (status = 422, body = Problem)))]
pub async fn outcomes(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<OutcomeQuery>,
) -> ApiResult<web::Json<Outcomes>> {
    let q = query.into_inner();
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
    Ok(web::Json(Outcomes {
        service_id: q.service_id,
        metric,
        unit: metric.unit(),
        raw_values: metric.reported_raw(),
        table,
    }))
}
