//! Consent templates (versioned, immutable) and patients' consents.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{consent_templates, consents};
use crate::db::types::{
    ConsentFamilyId, ConsentId, ConsentTemplateId, PatientId, ServiceId, UserId,
};
use crate::db::DbConnection;
use crate::domain::consent::{ConsentFacts, ConsentScope, ConsentStatus, PublishedVersion};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consent_templates)]
pub struct TemplateRow {
    pub id: ConsentTemplateId,
    pub family_id: ConsentFamilyId,
    pub version: i32,
    pub service_id: Option<ServiceId>,
    pub title: String,
    pub body_markdown: String,
    /// JSON array of strings.
    pub risks: String,
    pub scope: ConsentScope,
    pub requires_reconsent: bool,
    pub valid_for_days: Option<i32>,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
}

impl TemplateRow {
    pub fn risks(&self) -> Vec<String> {
        serde_json::from_str(&self.risks).unwrap_or_default()
    }

    /// The exact text a signer agrees to.
    pub fn text_to_sign(&self) -> String {
        let mut text = format!(
            "{} (version {})\n\n{}\n",
            self.title, self.version, self.body_markdown
        );
        let risks = self.risks();
        if !risks.is_empty() {
            text.push_str("\nRisks:\n");
            for r in risks {
                text.push_str(&format!("- {r}\n"));
            }
        }
        text
    }

    pub fn published(&self) -> PublishedVersion {
        PublishedVersion {
            version: self.version,
            published_at: self.created_at,
            requires_reconsent: self.requires_reconsent,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = consents, treat_none_as_null = true)]
pub struct ConsentRow {
    pub id: ConsentId,
    pub patient_id: PatientId,
    pub template_id: ConsentTemplateId,
    pub family_id: ConsentFamilyId,
    pub status: ConsentStatus,
    pub requested_by: Option<UserId>,
    pub requested_at: NaiveDateTime,
    pub signer_name: Option<String>,
    pub signer_kind: Option<String>,
    pub guardian_name: Option<String>,
    pub signature_png: Option<Vec<u8>>,
    pub signed_text: Option<String>,
    pub signed_text_sha256: Option<String>,
    pub signed_at: Option<NaiveDateTime>,
    pub collected_by: Option<UserId>,
    pub signed_ip: Option<String>,
    pub signed_user_agent: Option<String>,
    pub witness_id: Option<UserId>,
    pub witnessed_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub revoked_by: Option<UserId>,
    pub version: i64,
}

impl ConsentRow {
    pub fn facts(&self, template_version: i32) -> ConsentFacts {
        ConsentFacts {
            template_version,
            signed_at: self.signed_at,
            revoked_at: self.revoked_at,
            expires_at: self.expires_at,
        }
    }
}

pub fn insert_template(conn: &mut DbConnection, row: &TemplateRow) -> QueryResult<usize> {
    diesel::insert_into(consent_templates::table)
        .values(row)
        .execute(conn)
}

pub fn find_template(
    conn: &mut DbConnection,
    id: ConsentTemplateId,
) -> QueryResult<Option<TemplateRow>> {
    consent_templates::table
        .find(id)
        .select(TemplateRow::as_select())
        .first(conn)
        .optional()
}

/// Every version of a family, oldest first.
pub fn family(conn: &mut DbConnection, family: ConsentFamilyId) -> QueryResult<Vec<TemplateRow>> {
    consent_templates::table
        .filter(consent_templates::family_id.eq(family))
        .select(TemplateRow::as_select())
        .order(consent_templates::version.asc())
        .load(conn)
}

pub fn list_templates(conn: &mut DbConnection) -> QueryResult<Vec<TemplateRow>> {
    consent_templates::table
        .select(TemplateRow::as_select())
        .order((
            consent_templates::created_at.desc(),
            consent_templates::id.desc(),
        ))
        .load(conn)
}

pub fn insert(conn: &mut DbConnection, row: &ConsentRow) -> QueryResult<usize> {
    diesel::insert_into(consents::table)
        .values(row)
        .execute(conn)
}

pub fn find(conn: &mut DbConnection, id: ConsentId) -> QueryResult<Option<ConsentRow>> {
    consents::table
        .find(id)
        .select(ConsentRow::as_select())
        .first(conn)
        .optional()
}

pub fn of_patient(conn: &mut DbConnection, patient: PatientId) -> QueryResult<Vec<ConsentRow>> {
    consents::table
        .filter(consents::patient_id.eq(patient))
        .select(ConsentRow::as_select())
        .order((consents::requested_at.desc(), consents::id.desc()))
        .load(conn)
}

/// Writes the row if its version is still `expected`.
pub fn save(conn: &mut DbConnection, row: &ConsentRow, expected: i64) -> QueryResult<bool> {
    let n = diesel::update(
        consents::table
            .filter(consents::id.eq(row.id))
            .filter(consents::version.eq(expected)),
    )
    .set(row)
    .execute(conn)?;
    Ok(n == 1)
}
