//! Clinical notes, the one place for them: who may write them, drafts, signing
//! (locks for ever, with a content hash), amendments, the gates a procedure must
//! pass — consent and eligibility, judged as of the act (SPEC §6) — and the use
//! cases of both kinds, whose lifecycle (find → author → draft → If-Match → change
//! → save → audit → view) is written once, over [`Note`].
use chrono::{Duration, NaiveDateTime};
use chrono_tz::Tz;
use serde_json::{Map, Value};

use crate::api::notes::{
    consultation_content, procedure_content, Consultation, ConsultationContent, CreateAmendment,
    CreateConsultation, CreateProcedure, Procedure, ProcedureContent,
};
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::Caller;
use crate::db::models::notes::{self, AmendmentRow, ConsultationRow, ProcedureRow};
use crate::db::models::{appointments, clinic, consents, patients};
use crate::db::types::{AmendmentId, ConsultationId, NoteId, PatientId, ProcedureId, UserId};
use crate::db::DbConnection;
use crate::domain::clinical::{content_hash, eligibility, Eligibility, NoteStatus};
use crate::domain::consent::{consent_gate, ConsentScope};
use crate::domain::role::Role;
use crate::domain::schedule::AppointmentStatus;
use crate::error::ApiError;
use crate::state::AppState;

/// Only the practitioner who wrote a note edits, signs or amends it.
pub fn require_author(caller: &Caller, author: UserId) -> Result<(), ApiError> {
    if caller.role == Role::Practitioner && caller.user_id == author {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Amending is the author's — or, once the author is deactivated, any practitioner's
/// (SPEC §6; the amendment names who wrote it and is audited like any other).
pub fn require_amender(
    conn: &mut DbConnection,
    caller: &Caller,
    author: UserId,
) -> Result<(), ApiError> {
    if require_author(caller, author).is_ok() {
        return Ok(());
    }
    let author_active = crate::db::models::users::find(conn, author)
        .map(|u| u.active)
        .unwrap_or(true);
    if caller.role == Role::Practitioner && !author_active {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

pub fn require_draft(status: NoteStatus) -> Result<(), ApiError> {
    if status == NoteStatus::Draft {
        Ok(())
    } else {
        Err(ApiError::Conflict(
            "The note is signed; add an amendment instead.".into(),
        ))
    }
}

/// A merge patch of a note's top-level fields: a present field replaces the old value
/// whole (objects and arrays included, SPEC §6), `null` clears it.
pub fn merge_patch(current: &mut Value, patch: &Value) {
    match (current, patch) {
        (Value::Object(c), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    c.remove(k);
                } else {
                    c.insert(k.clone(), v.clone());
                }
            }
        }
        (c, p) => *c = p.clone(),
    }
}

/// Applies a patch to a note's clinical content and checks the result has the
/// content's exact shape (422 naming the field otherwise).
pub fn patched<T: serde::Serialize + serde::de::DeserializeOwned>(
    current: &T,
    patch: &Map<String, Value>,
    allowed: &[&str],
) -> Result<T, ApiError> {
    if let Some(bad) = patch.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::validation(bad.clone(), "cannot be changed here"));
    }
    let mut value = serde_json::to_value(current).map_err(ApiError::internal)?;
    merge_patch(&mut value, &Value::Object(patch.clone()));
    let bytes = serde_json::to_vec(&value).map_err(ApiError::internal)?;
    crate::extract::parse_json(&bytes)
}

pub const CONSULTATION_AMENDABLE: [&str; 5] =
    ["concerns", "subjective", "objective", "assessment", "plan"];
pub const CONSULTATION_PATCHABLE: [&str; 9] = [
    "concerns",
    "subjective",
    "objective",
    "assessment",
    "plan",
    "contraindications",
    "contraindication_other",
    "contraindication_overrides",
    "eligibility",
];
pub const PROCEDURE_AMENDABLE: [&str; 7] = [
    "preparation",
    "harvest",
    "processing",
    "application",
    "products",
    "complications",
    "aftercare",
];

/// The hash a signed consultation carries.
pub fn consultation_hash(note: NoteId, content: &ConsultationContent) -> Result<String, ApiError> {
    let mut v = serde_json::to_value(content).map_err(ApiError::internal)?;
    v["id"] = Value::String(note.to_string());
    Ok(content_hash(&v))
}

pub fn procedure_hash(row: &ProcedureRow, content: &ProcedureContent) -> Result<String, ApiError> {
    let mut v = serde_json::to_value(content).map_err(ApiError::internal)?;
    v["id"] = Value::String(row.id.to_string());
    v["patient_id"] = Value::String(row.patient_id.to_string());
    v["performed_at"] = Value::String(crate::api::instant(row.performed_at).to_rfc3339());
    Ok(content_hash(&v))
}

/// Appends an amendment to a signed note.
pub fn amend(
    conn: &mut DbConnection,
    note_type: &str,
    note: NoteId,
    author: UserId,
    reason: &str,
    changes: &Map<String, Value>,
) -> Result<AmendmentRow, ApiError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(ApiError::validation(
            "reason",
            "is required (at most 2000 characters)",
        ));
    }
    if changes.is_empty() {
        return Err(ApiError::validation(
            "changes",
            "must change at least one field",
        ));
    }
    let at = crate::db::now();
    let id = AmendmentId::new();
    let changes_value = Value::Object(changes.clone());
    let sha256 = content_hash(&serde_json::json!({
        "id": id.to_string(), "note_id": note.to_string(), "author_id": author.to_string(),
        "at": crate::api::instant(at).to_rfc3339(), "reason": reason, "changes": changes_value,
    }));
    let row = AmendmentRow {
        id,
        note_type: note_type.to_owned(),
        note_id: note,
        author_id: author,
        at,
        reason: reason.to_owned(),
        changes: changes_value.to_string(),
        sha256,
    };
    notes::insert_amendment(conn, &row)?;
    Ok(row)
}

/// The procedure gates, as of `performed_at` (creating and signing run the same test):
/// the appointment is the patient's, of this service, under way or done, and the act
/// lies within it (±1 h) and not in the future; the consent (when the service has a
/// consent family) was valid then; the latest consultation signed before it was eligible.
pub fn procedure_gates(conn: &mut DbConnection, row: &ProcedureRow) -> Result<(), ApiError> {
    let now = crate::db::now();
    if row.performed_at > now + Duration::minutes(1) {
        return Err(ApiError::validation(
            "performed_at",
            "may not be in the future",
        ));
    }
    let appt = appointments::find(conn, row.appointment_id)?
        .ok_or_else(|| ApiError::validation("appointment_id", "no such appointment"))?;
    if appt.patient_id != row.patient_id {
        return Err(ApiError::validation(
            "appointment_id",
            "is another patient's appointment",
        ));
    }
    if appt.service_id != row.service_id {
        return Err(ApiError::validation(
            "service_id",
            "is not the appointment's service",
        ));
    }
    if !matches!(
        appt.status,
        AppointmentStatus::CheckedIn | AppointmentStatus::InProgress | AppointmentStatus::Completed
    ) {
        return Err(ApiError::Conflict(format!(
            "The appointment is {}; a procedure needs it checked in, in progress or completed.",
            appt.status.as_str()
        )));
    }
    if row.performed_at < appt.starts_at - Duration::hours(1)
        || row.performed_at > appt.ends_at + Duration::hours(1)
    {
        return Err(ApiError::validation(
            "performed_at",
            "must lie within the appointment (±1 hour)",
        ));
    }
    let service = clinic::find_service(conn, row.service_id)?
        .ok_or_else(|| ApiError::validation("service_id", "no such service"))?;
    check_consent(conn, row, service.consent_template_id, row.performed_at)?;
    check_eligibility(conn, row, row.performed_at)
}

fn check_consent(
    conn: &mut DbConnection,
    row: &ProcedureRow,
    family: Option<crate::db::types::ConsentFamilyId>,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    match (family, row.consent_id) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ApiError::validation(
            "consent_id",
            "this service needs no consent",
        )),
        (Some(_), None) => Err(ApiError::validation(
            "consent_id",
            "is required for this service",
        )),
        (Some(family), Some(consent_id)) => {
            let consent = consents::find(conn, consent_id)?
                .filter(|c| c.patient_id == row.patient_id && c.family_id == family)
                .ok_or_else(|| {
                    ApiError::validation(
                        "consent_id",
                        "is not this patient's consent for this service",
                    )
                })?;
            let template =
                consents::find_template(conn, consent.template_id)?.ok_or(ApiError::NotFound)?;
            if template.scope != ConsentScope::Treatment {
                return Err(ApiError::validation(
                    "consent_id",
                    "must be a treatment consent",
                ));
            }
            let versions: Vec<_> = consents::family(conn, family)?
                .iter()
                .map(|t| t.published())
                .collect();
            consent_gate(&consent.facts(template.version), &versions, at).map_err(|problem| {
                ApiError::Conflict(format!("Consent missing: {}", problem.describe()))
            })
        }
    }
}

fn check_eligibility(
    conn: &mut DbConnection,
    row: &ProcedureRow,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    match notes::latest_signed_consultation(conn, row.patient_id, at)? {
        None => Err(ApiError::Conflict(
            "No signed consultation before the procedure: the patient has not been screened."
                .into(),
        )),
        Some(c) if c.eligibility != Eligibility::Eligible => Err(ApiError::Conflict(format!(
            "The latest signed consultation found the patient {}.",
            c.eligibility.as_str().replace('_', " ")
        ))),
        Some(_) => Ok(()),
    }
}

/// What the lifecycle needs of a kind of note (a consultation or a procedure); the
/// rules themselves live in the use cases below, once for both kinds.
pub trait Note: Sized + Send + 'static {
    /// The `entity_type` of its audit rows and the `note_type` of its amendments.
    const TYPE: &'static str;
    type Id: NoteRef<Row = Self>;
    /// The note as the API shows it.
    type View: Send + 'static;

    fn find(conn: &mut DbConnection, id: Self::Id) -> Result<Option<Self>, ApiError>;
    /// Saves the row if it still holds `expected` (false: someone saved first).
    fn save(conn: &mut DbConnection, row: &Self, expected: i64) -> Result<bool, ApiError>;
    fn delete(conn: &mut DbConnection, id: Self::Id) -> Result<(), ApiError>;
    /// Built inside the transaction, with every amendment.
    fn view(conn: &mut DbConnection, row: Self) -> Result<Self::View, ApiError>;

    fn id(&self) -> Self::Id;
    fn note_id(&self) -> NoteId;
    fn patient(&self) -> PatientId;
    fn author(&self) -> UserId;
    fn status(&self) -> NoteStatus;
    fn version(&self) -> i64;
    /// The next version, saved now.
    fn touch(&mut self, at: NaiveDateTime);
    fn seal(&mut self, by: UserId, at: NaiveDateTime, sha256: String);

    /// Merges a draft's patch into its content, checking the result.
    fn apply_patch(
        &mut self,
        conn: &mut DbConnection,
        patch: &Map<String, Value>,
        tz: Tz,
    ) -> Result<(), ApiError>;
    /// The hash the signed note carries, after the gates signing re-runs.
    fn signing_hash(&self, conn: &mut DbConnection) -> Result<String, ApiError>;
    /// Refuses an amendment whose changes would not make valid content.
    fn check_amendment(&self, changes: &Map<String, Value>, tz: Tz) -> Result<(), ApiError>;
    /// What an amendment changes beside itself (nothing, unless said).
    fn after_amendment(
        &self,
        _conn: &mut DbConnection,
        _changes: &Map<String, Value>,
        _tz: Tz,
    ) -> Result<(), ApiError> {
        Ok(())
    }
    /// Refuses deleting a draft something else refers to (nothing, unless said).
    fn deletable(&self, _conn: &mut DbConnection) -> Result<(), ApiError> {
        Ok(())
    }
}

/// A note's id names its kind, so a use case is called with the id alone.
pub trait NoteRef: Copy + Send + std::fmt::Display + 'static {
    type Row: Note<Id = Self>;
}

impl NoteRef for ConsultationId {
    type Row = ConsultationRow;
}

impl NoteRef for ProcedureId {
    type Row = ProcedureRow;
}

type View<I> = <<I as NoteRef>::Row as Note>::View;

fn note_event<N: Note>(caller: &Caller, action: AuditAction, row: &N) -> AuditEvent {
    caller.event(
        action,
        N::TYPE,
        Some(row.id().to_string()),
        Some(row.patient()),
    )
}

/// A note with every amendment (its read audited).
pub async fn read_note<I: NoteRef>(
    state: &AppState,
    caller: &Caller,
    id: I,
) -> Result<View<I>, ApiError> {
    let (note, patient) = state
        .db(move |conn| {
            let row = I::Row::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let patient = row.patient();
            Ok((I::Row::view(conn, row)?, patient))
        })
        .await?;
    state
        .audit
        .record(caller.event(
            AuditAction::Read,
            I::Row::TYPE,
            Some(id.to_string()),
            Some(patient),
        ))
        .await?;
    Ok(note)
}

/// The one draft lifecycle: find → author → draft → If-Match → change → save → audit.
fn change_draft<N: Note>(
    conn: &mut DbConnection,
    audit: &mut Vec<AuditEvent>,
    caller: &Caller,
    id: N::Id,
    expected: Option<i64>,
    action: AuditAction,
    change: impl FnOnce(&mut DbConnection, &mut N) -> Result<(), ApiError>,
) -> Result<N::View, ApiError> {
    let mut row = N::find(conn, id)?.ok_or(ApiError::NotFound)?;
    require_author(caller, row.author())?;
    require_draft(row.status())?;
    if expected.is_some_and(|v| v != row.version()) {
        return Err(ApiError::PreconditionFailed);
    }
    change(conn, &mut row)?;
    let version = row.version();
    row.touch(crate::db::now());
    if !N::save(conn, &row, version)? {
        return Err(ApiError::PreconditionFailed);
    }
    audit.push(note_event(caller, action, &row));
    N::view(conn, row)
}

/// Edits a draft: its author only, a JSON Merge Patch of the clinical fields,
/// `If-Match` (412 when another edit came first), 409 once signed.
pub async fn update_draft<I: NoteRef>(
    state: &AppState,
    caller: &Caller,
    id: I,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<View<I>, ApiError> {
    let tz = state.settings.clinic_timezone;
    let caller = caller.clone();
    state
        .write(move |conn, audit| {
            change_draft::<I::Row>(
                conn,
                audit,
                &caller,
                id,
                expected,
                AuditAction::Update,
                |conn, row| row.apply_patch(conn, &patch, tz),
            )
        })
        .await
}

/// Signs a draft (its author only): locked for ever, carrying its content hash.
pub async fn sign_note<I: NoteRef>(
    state: &AppState,
    caller: &Caller,
    id: I,
) -> Result<View<I>, ApiError> {
    let caller = caller.clone();
    state
        .write(move |conn, audit| {
            let by = caller.user_id;
            change_draft::<I::Row>(
                conn,
                audit,
                &caller,
                id,
                None,
                AuditAction::Sign,
                |conn, row| {
                    let sha256 = row.signing_hash(conn)?;
                    row.seal(by, crate::db::now(), sha256);
                    Ok(())
                },
            )
        })
        .await
}

/// Amends a signed note: its author (or any practitioner once the author is gone),
/// a reason, only the fields an amendment may change.
pub async fn amend_note<I: NoteRef>(
    state: &AppState,
    caller: &Caller,
    id: I,
    body: CreateAmendment,
) -> Result<AmendmentRow, ApiError> {
    let tz = state.settings.clinic_timezone;
    let caller = caller.clone();
    state
        .write(move |conn, audit| {
            let row = I::Row::find(conn, id)?.ok_or(ApiError::NotFound)?;
            require_amender(conn, &caller, row.author())?;
            if row.status() != NoteStatus::Signed {
                return Err(ApiError::Conflict("A draft is edited, not amended.".into()));
            }
            if body.reason.trim().is_empty() {
                return Err(ApiError::validation("reason", "is required"));
            }
            row.check_amendment(&body.changes, tz)?;
            let amendment = amend(
                conn,
                I::Row::TYPE,
                row.note_id(),
                caller.user_id,
                &body.reason,
                &body.changes,
            )?;
            row.after_amendment(conn, &body.changes, tz)?;
            audit.push(note_event(&caller, AuditAction::Amend, &row));
            Ok(amendment)
        })
        .await
}

/// Deletes a draft (its author only); a signed note is never deleted (409).
pub async fn delete_draft<I: NoteRef>(
    state: &AppState,
    caller: &Caller,
    id: I,
) -> Result<(), ApiError> {
    let caller = caller.clone();
    state
        .write(move |conn, audit| {
            let row = I::Row::find(conn, id)?.ok_or(ApiError::NotFound)?;
            require_author(&caller, row.author())?;
            require_draft(row.status())?;
            row.deletable(conn)?;
            I::Row::delete(conn, id)?;
            audit.push(note_event(&caller, AuditAction::Delete, &row));
            Ok(())
        })
        .await
}

/// Starts a consultation draft (its creation audited with its id). Eligibility is
/// computed: a contraindication without an override reason makes it `not_eligible`
/// whatever was sent.
pub async fn create_consultation(
    state: &AppState,
    caller: &Caller,
    body: CreateConsultation,
) -> Result<Consultation, ApiError> {
    let content = body.content();
    content.validate()?;
    let caller = caller.clone();
    state
        .write(move |conn, audit| {
            patients::find(conn, body.patient_id)?
                .ok_or_else(|| ApiError::validation("patient_id", "no such patient"))?;
            if let Some(a) = body.appointment_id {
                let appt = appointments::find(conn, a)?
                    .ok_or_else(|| ApiError::validation("appointment_id", "no such appointment"))?;
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
                author_id: caller.user_id,
                status: NoteStatus::Draft,
                concerns: String::new(),
                subjective: String::new(),
                objective: String::new(),
                assessment: String::new(),
                plan: String::new(),
                contraindications: String::new(),
                contraindication_other: None,
                contraindication_overrides: String::new(),
                // store_consultation sets the computed value just below.
                eligibility: content.eligibility,
                signed_at: None,
                signed_by: None,
                content_sha256: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            store_consultation(&mut row, &content)?;
            notes::insert_consultation(conn, &row)?;
            audit.push(note_event(&caller, AuditAction::Create, &row));
            ConsultationRow::view(conn, row)
        })
        .await
}

/// Records a procedure (draft; its creation audited with its id). Refused (409)
/// unless the patient held a valid consent for the service and was found eligible,
/// as of `performed_at`.
pub async fn create_procedure(
    state: &AppState,
    caller: &Caller,
    body: CreateProcedure,
) -> Result<Procedure, ApiError> {
    let performed_at = crate::api::plausible("performed_at", body.performed_at)?;
    let content = body.content();
    content.validate(crate::domain::schedule::local_date(
        state.settings.clinic_timezone,
        performed_at,
    ))?;
    let caller = caller.clone();
    state
        .write(move |conn, audit| {
            patients::find(conn, body.patient_id)?
                .ok_or_else(|| ApiError::validation("patient_id", "no such patient"))?;
            let now = crate::db::now();
            let mut row = ProcedureRow {
                id: ProcedureId::new(),
                patient_id: body.patient_id,
                appointment_id: body.appointment_id,
                service_id: body.service_id,
                consent_id: body.consent_id,
                author_id: caller.user_id,
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
            procedure_gates(conn, &row)?;
            store_procedure(&mut row, &content)?;
            notes::insert_procedure(conn, &row)?;
            notes::replace_products(conn, row.id, &lots(&content))?;
            audit.push(note_event(&caller, AuditAction::Create, &row));
            ProcedureRow::view(conn, row)
        })
        .await
}

/// Every procedure that used a product lot (for a recall); each patient's search is
/// audited.
pub async fn procedures_by_lot(
    state: &AppState,
    caller: &Caller,
    lot: &str,
) -> Result<Vec<Procedure>, ApiError> {
    let lot = lot.trim().to_owned();
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
                items.push(ProcedureRow::view(conn, row)?);
            }
            Ok(items)
        })
        .await?;
    let patients = items.iter().map(|p| p.patient_id);
    super::audit_listed(state, caller, patients).await?;
    Ok(items)
}

fn to_json(value: &impl serde::Serialize) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

/// Puts a consultation's content on its row, eligibility computed.
fn store_consultation(
    row: &mut ConsultationRow,
    content: &ConsultationContent,
) -> Result<(), ApiError> {
    let computed = eligibility(
        &content.contraindications,
        content.contraindication_other.as_deref(),
        &content.contraindication_overrides,
        content.eligibility,
    );
    row.concerns = to_json(&content.concerns)?;
    row.subjective = content.subjective.clone();
    row.objective = content.objective.clone();
    row.assessment = content.assessment.clone();
    row.plan = content.plan.clone();
    row.contraindications = to_json(&content.contraindications)?;
    row.contraindication_other = content
        .contraindication_other
        .clone()
        .filter(|o| !o.trim().is_empty());
    row.contraindication_overrides = to_json(&content.contraindication_overrides)?;
    row.eligibility = computed;
    Ok(())
}

/// Puts a procedure's content on its row (stored as JSON per part).
fn store_procedure(row: &mut ProcedureRow, content: &ProcedureContent) -> Result<(), ApiError> {
    row.preparation = to_json(&content.preparation)?;
    row.harvest = to_json(&content.harvest)?;
    row.processing = to_json(&content.processing)?;
    row.application = to_json(&content.application)?;
    row.products = to_json(&content.products)?;
    row.complications = content.complications.clone();
    row.aftercare = content.aftercare.clone();
    Ok(())
}

/// The recall index's entries (product lots) of a procedure's content.
fn lots(content: &ProcedureContent) -> Vec<(String, String, chrono::NaiveDate)> {
    content
        .products
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.lot_number.trim().to_owned(),
                p.expiry_date,
            )
        })
        .collect()
}

/// The `Note` methods that only read or set the columns both note tables share (same
/// names in `ConsultationRow` and `ProcedureRow`), written once.
macro_rules! note_row_fields {
    () => {
        fn id(&self) -> Self::Id {
            self.id
        }
        fn note_id(&self) -> NoteId {
            NoteId(self.id.0)
        }
        fn patient(&self) -> PatientId {
            self.patient_id
        }
        fn author(&self) -> UserId {
            self.author_id
        }
        fn status(&self) -> NoteStatus {
            self.status
        }
        fn version(&self) -> i64 {
            self.version
        }
        fn touch(&mut self, at: NaiveDateTime) {
            self.version += 1;
            self.updated_at = at;
        }
        fn seal(&mut self, by: UserId, at: NaiveDateTime, sha256: String) {
            self.content_sha256 = Some(sha256);
            self.status = NoteStatus::Signed;
            self.signed_at = Some(at);
            self.signed_by = Some(by);
        }
    };
}

impl Note for ConsultationRow {
    const TYPE: &'static str = "consultation";
    type Id = ConsultationId;
    type View = Consultation;

    fn find(conn: &mut DbConnection, id: ConsultationId) -> Result<Option<Self>, ApiError> {
        Ok(notes::find_consultation(conn, id)?)
    }
    fn save(conn: &mut DbConnection, row: &Self, expected: i64) -> Result<bool, ApiError> {
        Ok(notes::save_consultation(conn, row, expected)?)
    }
    fn delete(conn: &mut DbConnection, id: ConsultationId) -> Result<(), ApiError> {
        notes::delete_consultation(conn, id)?;
        Ok(())
    }
    fn view(conn: &mut DbConnection, row: Self) -> Result<Consultation, ApiError> {
        let amendments = notes::amendments_of(conn, Self::TYPE, row.note_id())?;
        Ok(Consultation::from_row(row, amendments))
    }
    note_row_fields!();
    fn apply_patch(
        &mut self,
        _conn: &mut DbConnection,
        patch: &Map<String, Value>,
        _tz: Tz,
    ) -> Result<(), ApiError> {
        let content = patched(&consultation_content(self), patch, &CONSULTATION_PATCHABLE)?;
        content.validate()?;
        store_consultation(self, &content)
    }
    fn signing_hash(&self, _conn: &mut DbConnection) -> Result<String, ApiError> {
        consultation_hash(self.note_id(), &consultation_content(self))
    }
    /// Only the narrative fields: contraindications and eligibility need a new
    /// consultation.
    fn check_amendment(&self, changes: &Map<String, Value>, _tz: Tz) -> Result<(), ApiError> {
        patched(
            &consultation_content(self),
            changes,
            &CONSULTATION_AMENDABLE,
        )?
        .validate()
    }
}

impl Note for ProcedureRow {
    const TYPE: &'static str = "procedure";
    type Id = ProcedureId;
    type View = Procedure;

    fn find(conn: &mut DbConnection, id: ProcedureId) -> Result<Option<Self>, ApiError> {
        Ok(notes::find_procedure(conn, id)?)
    }
    fn save(conn: &mut DbConnection, row: &Self, expected: i64) -> Result<bool, ApiError> {
        Ok(notes::save_procedure(conn, row, expected)?)
    }
    fn delete(conn: &mut DbConnection, id: ProcedureId) -> Result<(), ApiError> {
        notes::delete_procedure(conn, id)?;
        Ok(())
    }
    fn view(conn: &mut DbConnection, row: Self) -> Result<Procedure, ApiError> {
        let amendments = notes::amendments_of(conn, Self::TYPE, row.note_id())?;
        Procedure::from_row(row, amendments)
    }
    note_row_fields!();
    /// Keeps the recall index (product lots) in step with the draft.
    fn apply_patch(
        &mut self,
        conn: &mut DbConnection,
        patch: &Map<String, Value>,
        tz: Tz,
    ) -> Result<(), ApiError> {
        let content = patched(&procedure_content(self)?, patch, &PROCEDURE_AMENDABLE)?;
        content.validate(crate::domain::schedule::local_date(tz, self.performed_at))?;
        store_procedure(self, &content)?;
        notes::replace_products(conn, self.id, &lots(&content))?;
        Ok(())
    }
    /// Signing re-runs the gates, as of the act.
    fn signing_hash(&self, conn: &mut DbConnection) -> Result<String, ApiError> {
        procedure_gates(conn, self)?;
        procedure_hash(self, &procedure_content(self)?)
    }
    fn check_amendment(&self, changes: &Map<String, Value>, tz: Tz) -> Result<(), ApiError> {
        patched(&procedure_content(self)?, changes, &PROCEDURE_AMENDABLE)?
            .validate(crate::domain::schedule::local_date(tz, self.performed_at))
    }
    /// An amended lot must be found by a recall too (the original lots stay).
    fn after_amendment(
        &self,
        conn: &mut DbConnection,
        changes: &Map<String, Value>,
        _tz: Tz,
    ) -> Result<(), ApiError> {
        if changes.contains_key("products") {
            let content = patched(&procedure_content(self)?, changes, &PROCEDURE_AMENDABLE)?;
            notes::add_products(conn, self.id, &lots(&content))?;
        }
        Ok(())
    }
    fn deletable(&self, conn: &mut DbConnection) -> Result<(), ApiError> {
        let referenced = !crate::db::models::samples::of_procedure(conn, self.id)?.is_empty()
            || crate::db::models::adverse::of_patient(conn, self.patient_id)?
                .iter()
                .any(|a| a.procedure_id == Some(self.id))
            || crate::db::models::photos::count_of_procedure(conn, self.id)? > 0;
        if referenced {
            return Err(ApiError::Conflict(
                "Samples, adverse events or photos refer to this procedure; it cannot be deleted."
                    .into(),
            ));
        }
        Ok(())
    }
}
