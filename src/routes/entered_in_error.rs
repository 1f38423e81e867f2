//! `POST /{consultations|procedures|measurements|adverse-events|photos}/{id}/entered-in-error`:
//! a practitioner marks an item recorded by mistake. The mark is its own row (signed
//! rows stay untouched); the chart, `/me`, outcomes and exports leave the item out.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::entered_in_error::{self as marks, EnteredInErrorRow, MarkedId};
use crate::db::models::{adverse, measurements, notes};
use crate::db::types::{AdverseEventId, ConsultationId, MeasurementId, PatientId, ProcedureId};
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Json;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkEnteredInError {
    pub reason: String,
}

/// The mark as answered: which item, whose, why, by whom and when.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct EnteredInError {
    pub entity_type: &'static str,
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub patient_id: PatientId,
    /// Always `entered_in_error`.
    pub status: &'static str,
    pub reason: String,
    pub marked_by: crate::db::types::UserId,
    pub marked_at: chrono::DateTime<chrono::Utc>,
}

/// What kind of item is being marked, and how to find whose it is.
#[derive(Debug, Clone, Copy)]
pub enum Marked {
    Consultation,
    Procedure,
    Measurement,
    AdverseEvent,
    Photo,
}

impl Marked {
    fn entity_type(self) -> &'static str {
        match self {
            Marked::Consultation => marks::CONSULTATION,
            Marked::Procedure => marks::PROCEDURE,
            Marked::Measurement => marks::MEASUREMENT,
            Marked::AdverseEvent => marks::ADVERSE_EVENT,
            Marked::Photo => marks::PHOTO,
        }
    }

    /// The patient the item belongs to, or `None` if there is no such item.
    fn patient_of(
        self,
        conn: &mut DbConnection,
        id: uuid::Uuid,
    ) -> Result<Option<PatientId>, ApiError> {
        Ok(match self {
            Marked::Consultation => {
                notes::find_consultation(conn, ConsultationId(id))?.map(|r| r.patient_id)
            }
            Marked::Procedure => {
                notes::find_procedure(conn, ProcedureId(id))?.map(|r| r.patient_id)
            }
            Marked::Measurement => {
                measurements::find(conn, MeasurementId(id))?.map(|r| r.patient_id)
            }
            Marked::AdverseEvent => adverse::find(conn, AdverseEventId(id))?.map(|r| r.patient_id),
            Marked::Photo => crate::db::models::photos::find_including_marked(
                conn,
                crate::db::types::PhotoId(id),
            )?
            .map(|r| r.patient_id),
        })
    }
}

/// Marks the item; 404 if unknown, 409 if already marked. Audited as an update of the item.
pub async fn mark(
    state: &AppState,
    caller: &Caller,
    kind: Marked,
    id: uuid::Uuid,
    body: MarkEnteredInError,
) -> ApiResult<HttpResponse> {
    let reason = body.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::validation(
            "reason",
            "is required (at most 1000 characters)",
        ));
    }
    let by = caller.user_id;
    let who = caller.clone();
    let (_, mark_view) = state
        .write(move |conn, audit| {
            let (patient, mark_view) = {
                let patient = kind.patient_of(conn, id)?.ok_or(ApiError::NotFound)?;
                let row = EnteredInErrorRow {
                    id: MarkedId::new(),
                    entity_type: kind.entity_type().to_owned(),
                    entity_id: MarkedId(id),
                    reason,
                    by_user: by,
                    at: crate::db::now(),
                };
                let view = EnteredInError {
                    entity_type: kind.entity_type(),
                    id,
                    patient_id: patient,
                    status: "entered_in_error",
                    reason: row.reason.clone(),
                    marked_by: by,
                    marked_at: crate::api::instant(row.at),
                };
                match marks::insert(conn, &row) {
                    Ok(_) => Ok((patient, view)),
                    Err(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    )) => Err(ApiError::Conflict(
                        "This item is already marked as entered in error.".into(),
                    )),
                    Err(e) => Err(e.into()),
                }
            }?;
            audit.push(who.event(
                AuditAction::Update,
                kind.entity_type(),
                Some(id.to_string()),
                Some(patient),
            ));
            Ok((patient, mark_view))
        })
        .await?;
    Ok(HttpResponse::Ok().json(mark_view))
}

macro_rules! mark_handler {
    ($name:ident, $kind:expr, $path:literal) => {
        /// Marks the item entered in error (practitioner; audited). The item stays stored
        /// but leaves the chart, the portal, outcomes and exports.
        #[utoipa::path(post, path = $path, tag = "clinical", params(("id" = String, Path)),
                    request_body = MarkEnteredInError,
                    responses((status = 200, body = EnteredInError), (status = 404, body = Problem),
                        (status = 409, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<uuid::Uuid>,
            body: Json<MarkEnteredInError>,
        ) -> ApiResult<HttpResponse> {
            mark(&state, &caller, $kind, id.into_inner(), body.into_inner()).await
        }
    };
}

mark_handler!(
    consultation_entered_in_error,
    Marked::Consultation,
    "/api/v1/consultations/{id}/entered-in-error"
);
mark_handler!(
    procedure_entered_in_error,
    Marked::Procedure,
    "/api/v1/procedures/{id}/entered-in-error"
);
mark_handler!(
    measurement_entered_in_error,
    Marked::Measurement,
    "/api/v1/measurements/{id}/entered-in-error"
);
mark_handler!(
    adverse_event_entered_in_error,
    Marked::AdverseEvent,
    "/api/v1/adverse-events/{id}/entered-in-error"
);
mark_handler!(
    photo_entered_in_error,
    Marked::Photo,
    "/api/v1/photos/{id}/entered-in-error"
);
