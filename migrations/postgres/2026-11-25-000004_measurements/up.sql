-- Skin measurements over the follow-up series (PostgreSQL).
CREATE TABLE measurements (
    id UUID PRIMARY KEY,
    patient_id UUID NOT NULL REFERENCES patients (id),
    measured_at TIMESTAMP NOT NULL,
    metric TEXT NOT NULL CHECK (metric IN ('skin_moisture', 'firmness', 'elasticity', 'wrinkle_severity', 'pigmentation', 'gais', 'satisfaction')),
    value DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    device TEXT,
    appointment_id UUID REFERENCES appointments (id),
    recorded_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX measurements_patient_metric ON measurements (patient_id, metric, measured_at);
