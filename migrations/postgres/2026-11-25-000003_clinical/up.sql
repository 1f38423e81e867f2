-- Clinical records (PostgreSQL): consent templates and consents, consultations,
-- procedure notes, amendments, the patient's own cell samples, adverse events.

CREATE TABLE consent_templates (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    service_id UUID REFERENCES services (id),
    title TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    risks TEXT NOT NULL DEFAULT '[]',
    scope TEXT NOT NULL CHECK (scope IN ('treatment', 'photography', 'marketing')),
    requires_reconsent BOOLEAN NOT NULL DEFAULT FALSE,
    valid_for_days INTEGER CHECK (valid_for_days >= 1),
    created_by UUID REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (family_id, version)
);

CREATE TABLE consents (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients (id),
    template_id UUID NOT NULL REFERENCES consent_templates (id),
    family_id UUID NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'signed', 'revoked')),
    requested_by UUID REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    signer_name TEXT,
    signer_kind TEXT CHECK (signer_kind IN ('patient', 'guardian')),
    guardian_name TEXT,
    signature_png BYTEA,
    signed_text TEXT,
    signed_text_sha256 TEXT,
    signed_at TIMESTAMP,
    collected_by UUID REFERENCES users (id),
    signed_ip TEXT,
    signed_user_agent TEXT,
    witness_id UUID REFERENCES users (id),
    witnessed_at TIMESTAMP,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP,
    revoked_reason TEXT,
    revoked_by UUID REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    CHECK ((status = 'pending') = (signed_at IS NULL) OR status = 'revoked')
);
CREATE INDEX consents_patient ON consents (patient_id, family_id);

CREATE TABLE consultations (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients (id),
    appointment_id UUID REFERENCES appointments (id),
    author_id UUID NOT NULL REFERENCES users (id),
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
    signed_by UUID REFERENCES users (id),
    content_sha256 TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX consultations_patient ON consultations (patient_id, signed_at);

CREATE TABLE procedures (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients (id),
    appointment_id UUID NOT NULL REFERENCES appointments (id),
    service_id UUID NOT NULL REFERENCES services (id),
    consent_id UUID REFERENCES consents (id),
    author_id UUID NOT NULL REFERENCES users (id),
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
    signed_by UUID REFERENCES users (id),
    content_sha256 TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX procedures_patient ON procedures (patient_id, performed_at);

-- Lots used in a procedure, for recalls (GET /procedures?product_lot=).
CREATE TABLE procedure_products (
    procedure_id UUID NOT NULL REFERENCES procedures (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    lot_number TEXT NOT NULL,
    expiry_date DATE NOT NULL,
    PRIMARY KEY (procedure_id, position)
);
CREATE INDEX procedure_products_lot ON procedure_products (lot_number);

CREATE TABLE amendments (
    id UUID PRIMARY KEY,
    note_type TEXT NOT NULL CHECK (note_type IN ('consultation', 'procedure')),
    note_id UUID NOT NULL,
    author_id UUID NOT NULL REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    changes TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE INDEX amendments_note ON amendments (note_type, note_id, at);

CREATE TABLE samples (
    id UUID PRIMARY KEY,
    label_code TEXT NOT NULL UNIQUE,
    patient_id UUID NOT NULL REFERENCES patients (id),
    procedure_id UUID NOT NULL REFERENCES procedures (id),
    harvested_at TIMESTAMP NOT NULL,
    site TEXT NOT NULL,
    volume_ml DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('harvested', 'processed', 'stored', 'applied', 'discarded')),
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX samples_patient ON samples (patient_id);

CREATE TABLE sample_events (
    id UUID PRIMARY KEY,
    sample_id UUID NOT NULL REFERENCES samples (id),
    kind TEXT NOT NULL CHECK (kind IN ('processed', 'stored', 'applied', 'discarded')),
    at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    actor_id UUID NOT NULL REFERENCES users (id),
    patient_id UUID REFERENCES patients (id),
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sample_events_sample ON sample_events (sample_id, recorded_at);

CREATE TABLE adverse_events (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients (id),
    procedure_id UUID REFERENCES procedures (id),
    onset_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('infection', 'bleeding', 'bruising', 'swelling', 'pain', 'other')),
    severity TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'serious')),
    phase TEXT NOT NULL CHECK (phase IN ('harvest', 'processing', 'application', 'aftercare')),
    description TEXT NOT NULL,
    action_taken TEXT NOT NULL DEFAULT '',
    resolved_at TIMESTAMP,
    recorded_by UUID NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    report_due_at TIMESTAMP,
    reported_at TIMESTAMP,
    report_reference TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX adverse_events_patient ON adverse_events (patient_id, recorded_at);
CREATE INDEX adverse_events_due ON adverse_events (report_due_at) WHERE reported_at IS NULL;

CREATE TABLE entered_in_error (
    id UUID PRIMARY KEY,
    entity_type TEXT NOT NULL,
    entity_id UUID NOT NULL,
    reason TEXT NOT NULL,
    by_user UUID NOT NULL REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    UNIQUE (entity_type, entity_id)
);

-- Signed notes are immutable, enforced by the database itself.
CREATE FUNCTION refuse_signed_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION 'signed_note_immutable';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER consultations_signed_immutable BEFORE UPDATE OR DELETE ON consultations
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_change();
CREATE TRIGGER procedures_signed_immutable BEFORE UPDATE OR DELETE ON procedures
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_change();

-- Published templates, amendments and custody events are append-only.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append_only';
END;
$$;
CREATE TRIGGER consent_templates_immutable BEFORE UPDATE OR DELETE ON consent_templates
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER amendments_append_only BEFORE UPDATE OR DELETE ON amendments
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER sample_events_append_only BEFORE UPDATE OR DELETE ON sample_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- What a patient signed never changes (revoking, witnessing and expiry still may).
CREATE FUNCTION refuse_signed_consent_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL AND (
        NEW.signed_text IS DISTINCT FROM OLD.signed_text
        OR NEW.signed_text_sha256 IS DISTINCT FROM OLD.signed_text_sha256
        OR NEW.signature_png IS DISTINCT FROM OLD.signature_png
        OR NEW.signed_at IS DISTINCT FROM OLD.signed_at
        OR NEW.signer_name IS DISTINCT FROM OLD.signer_name
        OR NEW.patient_id IS DISTINCT FROM OLD.patient_id
        OR NEW.template_id IS DISTINCT FROM OLD.template_id) THEN
        RAISE EXCEPTION 'signed_consent_immutable';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER consents_signed_content_immutable BEFORE UPDATE ON consents
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_consent_change();
