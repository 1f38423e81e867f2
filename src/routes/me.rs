//! `/me/...`: the patient's own record. Every handler works on the caller's own
//! patient id only; another patient's id simply does not exist here (404).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::appointments::{Appointment, CancelAppointment};
use crate::api::consents::{
    Consent, ConsentList, RevokeConsent, SignConsent, SignOwnConsent, SignerKind,
};
use crate::api::measurements::{Measurement, MeasurementList};
use crate::audit::AuditAction;
use crate::auth::Me;
use crate::db::models::appointments::{self, AppointmentFilter};
use crate::db::models::{audit as audit_rows, clinic, consents, measurements, users};
use crate::db::types::{AppointmentId, ConsentId, PatientId, PractitionerId, ServiceId};
use crate::domain::schedule::AppointmentStatus;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::idempotency::{self, Answer};
use crate::routes::consents::sign;
use crate::scheduling::{self, Booking};
use crate::state::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct SelfBooking {
    pub practitioner_id: PractitionerId,
    pub service_id: ServiceId,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyAppointments {
    pub items: Vec<Appointment>,
}

/// The patient's appointments (without staff notes).
#[utoipa::path(get, path = "/api/v1/me/appointments", tag = "me", responses((status = 200, body = MyAppointments)))]
pub async fn my_appointments(
    who: Me,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<MyAppointments>> {
    let rows = who
        .read(&state, "appointment", None, move |conn, me| {
            Ok(appointments::list(
                conn,
                &AppointmentFilter {
                    patient_id: Some(me),
                    ..Default::default()
                },
                1000,
            )?)
        })
        .await?;
    Ok(web::Json(MyAppointments {
        items: rows
            .into_iter()
            .map(|mut r| {
                r.notes = None;
                Appointment::from(r)
            })
            .collect(),
    }))
}

/// One of the patient's appointments.
#[utoipa::path(get, path = "/api/v1/me/appointments/{id}", tag = "me", params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 404, body = Problem)))]
pub async fn my_appointment(
    who: Me,
    state: web::Data<AppState>,
    id: web::Path<AppointmentId>,
) -> ApiResult<web::Json<Appointment>> {
    let id = id.into_inner();
    let mut row = who
        .read(
            &state,
            "appointment",
            Some(id.to_string()),
            move |conn, me| {
                appointments::find(conn, id)?
                    .filter(|a| a.patient_id == me)
                    .ok_or(ApiError::NotFound)
            },
        )
        .await?;
    row.notes = None;
    Ok(web::Json(Appointment::from(row)))
}

/// Books a patient-bookable service into a free slot, with every booking rule of the
/// staff path plus the portal's horizons (at least `PORTAL_MIN_LEAD` ahead, at most
/// 365 days, at most `PORTAL_MAX_OPEN` open appointments). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/me/appointments", tag = "me", request_body = SelfBooking,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Appointment), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn book_my_appointment(
    state: web::Data<AppState>,
    who: Me,
    req: HttpRequest,
    body: Json<SelfBooking>,
) -> ApiResult<HttpResponse> {
    let Me {
        caller,
        patient: me,
    } = who;
    let body = body.into_inner();
    let request = body.clone();
    let settings = state.settings.clone();
    let user = caller.user_id;
    idempotency::run(&state, &req, user, &request, move |conn, audit| {
        let row = self_book(conn, &settings, user, me, body)?;
        audit.push(caller.event(
            AuditAction::Create,
            "appointment",
            Some(row.id.to_string()),
            Some(me),
        ));
        let location = format!("/api/v1/me/appointments/{}", row.id);
        let etag = format!("\"{}\"", row.version);
        Ok(Answer::json(StatusCode::CREATED, &Appointment::from(row))?
            .header("location", location)
            .header("etag", etag))
    })
    .await
}

/// The portal's rules, then the one booking path (inside the write transaction).
fn self_book(
    conn: &mut crate::db::DbConnection,
    settings: &crate::config::Settings,
    by: crate::db::types::UserId,
    me: PatientId,
    body: SelfBooking,
) -> Result<appointments::AppointmentRow, ApiError> {
    let starts_at = crate::api::plausible("starts_at", body.starts_at)?;
    let now = crate::db::now();
    if starts_at < now + Duration::minutes(settings.portal_min_lead_minutes) {
        return Err(ApiError::Conflict(
            "Online booking needs a little notice; please call the clinic.".into(),
        ));
    }
    if starts_at > now + Duration::days(365) {
        return Err(ApiError::Conflict(
            "Online booking is open up to a year ahead.".into(),
        ));
    }
    if body
        .notes
        .as_deref()
        .is_some_and(|n| n.chars().count() > 2000)
    {
        return Err(ApiError::validation(
            "notes",
            "must be at most 2000 characters",
        ));
    }
    let service = clinic::find_service(conn, body.service_id)?
        .ok_or_else(|| ApiError::validation("service_id", "no such service"))?;
    if !service.patient_bookable {
        return Err(ApiError::Conflict(
            "This service is booked by the clinic, not online.".into(),
        ));
    }
    scheduling::book_within(
        conn,
        settings.clinic_timezone,
        Booking {
            patient_id: me,
            practitioner_id: body.practitioner_id,
            service,
            starts_at,
            room_id: None,
            notes: body
                .notes
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            follow_up_of: None,
            follow_up_offset_days: None,
            booked_by: Some(by),
        },
        settings.reminder_lead(),
        Some(scheduling::OpenLimit {
            max_open: settings.portal_max_open,
            now,
        }),
    )
}

/// Cancels one of the patient's own booked or confirmed appointments.
#[utoipa::path(post, path = "/api/v1/me/appointments/{id}/cancel", tag = "me", params(("id" = String, Path)),
    request_body = CancelAppointment,
    responses((status = 200, body = Appointment), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel_my_appointment(
    state: web::Data<AppState>,
    who: Me,
    id: web::Path<AppointmentId>,
    body: Json<CancelAppointment>,
) -> ApiResult<web::Json<Appointment>> {
    let Me {
        caller,
        patient: me,
    } = who;
    let id = id.into_inner();
    let reason = body.into_inner().reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::validation(
            "reason",
            "is required (at most 500 characters)",
        ));
    }
    let tz = state.settings.clinic_timezone;
    let mut row = state
        .write(move |conn, audit| {
            let current = appointments::find(conn, id)?
                .filter(|a| a.patient_id == me)
                .ok_or(ApiError::NotFound)?;
            if !current.status.reschedulable() {
                return Err(ApiError::Conflict(format!(
                    "An appointment that is {} cannot be cancelled online.",
                    current.status.as_str()
                )));
            }
            let row = scheduling::transition(
                conn,
                tz,
                current,
                AppointmentStatus::Cancelled,
                Some(reason),
                None,
            )?;
            audit.push(caller.event(
                AuditAction::Update,
                "appointment",
                Some(id.to_string()),
                Some(me),
            ));
            Ok(row)
        })
        .await?;
    row.notes = None;
    Ok(web::Json(Appointment::from(row)))
}

/// The patient's consents.
#[utoipa::path(get, path = "/api/v1/me/consents", tag = "me", responses((status = 200, body = ConsentList)))]
pub async fn my_consents(who: Me, state: web::Data<AppState>) -> ApiResult<web::Json<ConsentList>> {
    let items = who
        .read(&state, "consent", None, move |conn, me| {
            let mut items = Vec::new();
            for c in consents::of_patient(conn, me)? {
                let t = consents::find_template(conn, c.template_id)?.ok_or(ApiError::NotFound)?;
                items.push(crate::routes::consents::view(c, &t));
            }
            Ok(items)
        })
        .await?;
    Ok(web::Json(ConsentList { items }))
}

/// One of the caller's own consents (another patient's id answers like an unknown one).
fn own_consent(
    conn: &mut crate::db::DbConnection,
    me: PatientId,
    id: ConsentId,
) -> Result<Consent, ApiError> {
    let (c, t) = crate::routes::consents::load(conn, id)?;
    if c.patient_id != me {
        return Err(ApiError::NotFound);
    }
    Ok(crate::routes::consents::view(c, &t))
}

/// One of the patient's consents.
#[utoipa::path(get, path = "/api/v1/me/consents/{id}", tag = "me", params(("id" = String, Path)),
    responses((status = 200, body = Consent), (status = 404, body = Problem)))]
pub async fn my_consent(
    who: Me,
    state: web::Data<AppState>,
    id: web::Path<ConsentId>,
) -> ApiResult<web::Json<Consent>> {
    let id = id.into_inner();
    let consent = who
        .read(&state, "consent", Some(id.to_string()), move |conn, me| {
            own_consent(conn, me, id)
        })
        .await?;
    Ok(web::Json(consent))
}

/// Signs one of the patient's own pending consents (any scope; nobody collects it).
#[utoipa::path(post, path = "/api/v1/me/consents/{id}/sign", tag = "me", params(("id" = String, Path)),
    request_body = SignOwnConsent,
    responses((status = 200, body = Consent), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn sign_my_consent(
    state: web::Data<AppState>,
    who: Me,
    req: HttpRequest,
    id: web::Path<ConsentId>,
    body: Json<SignOwnConsent>,
) -> ApiResult<web::Json<Consent>> {
    let Me {
        caller,
        patient: me,
    } = who;
    let body = body.into_inner();
    let signing = SignConsent {
        signer_name: body.signer_name,
        signature_png_base64: body.signature_png_base64,
        signer_kind: SignerKind::Patient,
        guardian_name: None,
    };
    sign::sign(
        &state,
        &caller,
        &req,
        id.into_inner(),
        signing,
        sign::Collector::Patient(me),
    )
    .await
}

/// Revokes one of the patient's consents.
#[utoipa::path(post, path = "/api/v1/me/consents/{id}/revoke", tag = "me", params(("id" = String, Path)),
    request_body = RevokeConsent,
    responses((status = 200, body = Consent), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn revoke_my_consent(
    state: web::Data<AppState>,
    who: Me,
    id: web::Path<ConsentId>,
    body: Json<RevokeConsent>,
) -> ApiResult<web::Json<Consent>> {
    let Me {
        caller,
        patient: me,
    } = who;
    let id = id.into_inner();
    state.db(move |conn| own_consent(conn, me, id)).await?;
    crate::routes::consents::transitions::revoke_consent(state, caller, web::Path::from(id), body)
        .await
}

/// The patient's measurements.
#[utoipa::path(get, path = "/api/v1/me/measurements", tag = "me", responses((status = 200, body = MeasurementList)))]
pub async fn my_measurements(
    who: Me,
    state: web::Data<AppState>,
) -> ApiResult<web::Json<MeasurementList>> {
    let rows = who
        .read(&state, "measurement", None, move |conn, me| {
            Ok(measurements::series(conn, me, None)?)
        })
        .await?;
    Ok(web::Json(MeasurementList {
        items: rows.into_iter().map(Measurement::from).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    pub staff_display_name: String,
    pub staff_role: String,
    pub action: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLog {
    pub items: Vec<AccessEntry>,
}

/// Who on the staff opened or changed this patient's record, and when (not searches).
#[utoipa::path(get, path = "/api/v1/me/access-log", tag = "me", responses((status = 200, body = AccessLog)))]
pub async fn my_access_log(who: Me, state: web::Data<AppState>) -> ApiResult<web::Json<AccessLog>> {
    let items = who
        .read(&state, "audit", None, move |conn, me| {
            let filter = audit_rows::AuditFilter {
                patient_id: Some(me),
                actions: Some(
                    [
                        "read", "export", "create", "update", "delete", "sign", "amend",
                    ]
                    .iter()
                    .map(|a| (*a).to_owned())
                    .collect(),
                ),
                ..Default::default()
            };
            let mut names = std::collections::HashMap::new();
            let mut items = Vec::new();
            for row in audit_rows::list(conn, &filter, 1000)? {
                let (Some(actor), Some(role)) = (row.actor_id, row.actor_role.clone()) else {
                    continue;
                };
                if role == "patient" {
                    continue;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = names.entry(actor) {
                    e.insert(
                        users::find(conn, actor)
                            .map(|u| u.display_name)
                            .unwrap_or_else(|_| "Clinic staff".into()),
                    );
                }
                items.push(AccessEntry {
                    at: crate::api::instant(row.at),
                    staff_display_name: names[&actor].clone(),
                    staff_role: role,
                    action: row.action,
                });
            }
            Ok(items)
        })
        .await?;
    Ok(web::Json(AccessLog { items }))
}
