//! Entered in error: a practitioner marks an item recorded by mistake. The mark is its
//! own row (signed rows stay untouched); the chart, `/me`, outcomes and exports leave
//! the item out.
use crate::api::entered_in_error::{EnteredInError, MarkEnteredInError};
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::db::models::entered_in_error::{self as marks, EnteredInErrorRow, MarkedId};
use crate::db::models::{adverse, measurements, notes};
use crate::db::types::{AdverseEventId, ConsultationId, MeasurementId, PatientId, ProcedureId};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::state::AppState;

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
    pub fn entity_type(self) -> &'static str {
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
) -> Result<EnteredInError, ApiError> {
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
    Ok(mark_view)
}
