-- Clinical records (SQLite): consent templates and consents, consultations,
-- procedure notes, amendments, the patient's own cell samples, adverse events.

CREATE TABLE consent_templates (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    family_id BLOB NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    service_id BLOB REFERENCES services (id),
    title TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    risks TEXT NOT NULL DEFAULT '[]',
    scope TEXT NOT NULL CHECK (scope IN ('treatment', 'photography', 'marketing')),
    requires_reconsent BOOLEAN NOT NULL DEFAULT 0,
    valid_for_days INTEGER CHECK (valid_for_days >= 1),
    created_by BLOB REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (family_id, version)
);

CREATE TABLE consents (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    patient_id BLOB NOT NULL REFERENCES patients (id),
    template_id BLOB NOT NULL REFERENCES consent_templates (id),
    family_id BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'signed', 'revoked')),
    requested_by BLOB REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    signer_name TEXT,
    signer_kind TEXT CHECK (signer_kind IN ('patient', 'guardian')),
    guardian_name TEXT,
    signature_png BLOB,
    signed_text TEXT,
    signed_text_sha256 TEXT,
    signed_at TIMESTAMP,
    collected_by BLOB REFERENCES users (id),
    signed_ip TEXT,
    signed_user_agent TEXT,
    witness_id BLOB REFERENCES users (id),
    witnessed_at TIMESTAMP,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP,
    revoked_reason TEXT,
    revoked_by BLOB REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    CHECK ((status = 'pending') = (signed_at IS NULL) OR status = 'revoked')
);
CREATE INDEX consents_patient ON consents (patient_id, family_id);

CREATE TABLE consultations (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    patient_id BLOB NOT NULL REFERENCES patients (id),
    appointment_id BLOB REFERENCES appointments (id),
    author_id BLOB NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    concerns TEXT NOT NULL DEFAULT '[]',
    subjective TEXT NOT NULL DEFAULT '',
    objective TEXT NOT NULL DEFAULT '',
    assessment TEXT NOT NULL DEFAULT '',
    plan TEXT NOT NULL DEFAULT '',
    contraindications TEXT NOT NULL,
    contraindication_other TEXT,
    contraindication_overrides TEXT NOT NULL DEFAULT '{}',
    eligibility TEXT NOT NULL CHECK (eligibility IN ('eligible', 'not_eligible', 'deferred')),
    signed_at TIMESTAMP,
    signed_by BLOB REFERENCES users (id),
    content_sha256 TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX consultations_patient ON consultations (patient_id, signed_at);

CREATE TABLE procedures (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    patient_id BLOB NOT NULL REFERENCES patients (id),
    appointment_id BLOB NOT NULL REFERENCES appointments (id),
    service_id BLOB NOT NULL REFERENCES services (id),
    consent_id BLOB REFERENCES consents (id),
    author_id BLOB NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    performed_at TIMESTAMP NOT NULL,
    preparation TEXT NOT NULL,
    harvest TEXT NOT NULL,
    processing TEXT NOT NULL,
    application TEXT NOT NULL,
    products TEXT NOT NULL DEFAULT '[]',
    complications TEXT NOT NULL DEFAULT '',
    aftercare TEXT NOT NULL DEFAULT '',
    signed_at TIMESTAMP,
    signed_by BLOB REFERENCES users (id),
    content_sha256 TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX procedures_patient ON procedures (patient_id, performed_at);

-- Lots used in a procedure, for recalls (GET /procedures?product_lot=).
CREATE TABLE procedure_products (
    procedure_id BLOB NOT NULL REFERENCES procedures (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    lot_number TEXT NOT NULL,
    expiry_date DATE NOT NULL,
    PRIMARY KEY (procedure_id, position)
);
CREATE INDEX procedure_products_lot ON procedure_products (lot_number);

CREATE TABLE amendments (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    note_type TEXT NOT NULL CHECK (note_type IN ('consultation', 'procedure')),
    note_id BLOB NOT NULL,
    author_id BLOB NOT NULL REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    changes TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE INDEX amendments_note ON amendments (note_type, note_id, at);

CREATE TABLE samples (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    label_code TEXT NOT NULL UNIQUE,
    patient_id BLOB NOT NULL REFERENCES patients (id),
    procedure_id BLOB NOT NULL REFERENCES procedures (id),
    harvested_at TIMESTAMP NOT NULL,
    site TEXT NOT NULL,
    volume_ml DOUBLE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('harvested', 'processed', 'stored', 'applied', 'discarded')),
    created_by BLOB NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX samples_patient ON samples (patient_id);

CREATE TABLE sample_events (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    sample_id BLOB NOT NULL REFERENCES samples (id),
    kind TEXT NOT NULL CHECK (kind IN ('processed', 'stored', 'applied', 'discarded')),
    at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    actor_id BLOB NOT NULL REFERENCES users (id),
    patient_id BLOB REFERENCES patients (id),
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sample_events_sample ON sample_events (sample_id, recorded_at);

CREATE TABLE adverse_events (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    patient_id BLOB NOT NULL REFERENCES patients (id),
    procedure_id BLOB REFERENCES procedures (id),
    onset_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('infection', 'bleeding', 'bruising', 'swelling', 'pain', 'other')),
    severity TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'serious')),
    phase TEXT NOT NULL CHECK (phase IN ('harvest', 'processing', 'application', 'aftercare')),
    description TEXT NOT NULL,
    action_taken TEXT NOT NULL DEFAULT '',
    resolved_at TIMESTAMP,
    recorded_by BLOB NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    report_due_at TIMESTAMP,
    reported_at TIMESTAMP,
    report_reference TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX adverse_events_patient ON adverse_events (patient_id, recorded_at);
CREATE INDEX adverse_events_due ON adverse_events (report_due_at) WHERE reported_at IS NULL;

CREATE TABLE entered_in_error (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    entity_type TEXT NOT NULL,
    entity_id BLOB NOT NULL,
    reason TEXT NOT NULL,
    by_user BLOB NOT NULL REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    UNIQUE (entity_type, entity_id)
);

-- Signed notes are immutable, enforced by the database itself.
CREATE TRIGGER consultations_signed_no_update BEFORE UPDATE ON consultations
WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'signed_note_immutable');
END;
CREATE TRIGGER consultations_signed_no_delete BEFORE DELETE ON consultations
WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'signed_note_immutable');
END;
CREATE TRIGGER procedures_signed_no_update BEFORE UPDATE ON procedures
WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'signed_note_immutable');
END;
CREATE TRIGGER procedures_signed_no_delete BEFORE DELETE ON procedures
WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'signed_note_immutable');
END;

-- Published templates, amendments and custody events are append-only.
CREATE TRIGGER consent_templates_no_update BEFORE UPDATE ON consent_templates
BEGIN
    SELECT RAISE(ABORT, 'append_only');
END;
CREATE TRIGGER consent_templates_no_delete BEFORE DELETE ON consent_templates
BEGIN
    SELECT RAISE(ABORT, 'append_only');
END;
CREATE TRIGGER amendments_no_update BEFORE UPDATE ON amendments
BEGIN
    SELECT RAISE(ABORT, 'append_only');
END;
CREATE TRIGGER amendments_no_delete BEFORE DELETE ON amendments
BEGIN
    SELECT RAISE(ABORT, 'append_only');
END;
CREATE TRIGGER sample_events_no_update BEFORE UPDATE ON sample_events
BEGIN
    SELECT RAISE(ABORT, 'append_only');
END;
CREATE TRIGGER sample_events_no_delete BEFORE DELETE ON sample_events
BEGIN
    SELECT RAISE(ABORT, 'append_only');
END;

-- What a patient signed never changes (revoking, witnessing and expiry still may).
CREATE TRIGGER consents_signed_content_immutable BEFORE UPDATE ON consents
WHEN OLD.signed_at IS NOT NULL AND (
    NEW.signed_text IS NOT OLD.signed_text OR NEW.signed_text_sha256 IS NOT OLD.signed_text_sha256
    OR NEW.signature_png IS NOT OLD.signature_png OR NEW.signed_at IS NOT OLD.signed_at
    OR NEW.signer_name IS NOT OLD.signer_name OR NEW.patient_id IS NOT OLD.patient_id
    OR NEW.template_id IS NOT OLD.template_id)
BEGIN
    SELECT RAISE(ABORT, 'signed_consent_immutable');
END;
