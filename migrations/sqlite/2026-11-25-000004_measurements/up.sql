-- Skin measurements over the follow-up series (SQLite).
CREATE TABLE measurements (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    patient_id BLOB NOT NULL REFERENCES patients (id),
    measured_at TIMESTAMP NOT NULL,
    metric TEXT NOT NULL CHECK (metric IN ('skin_moisture', 'firmness', 'elasticity', 'wrinkle_severity', 'pigmentation', 'gais', 'satisfaction')),
    value DOUBLE NOT NULL,
    unit TEXT NOT NULL,
    device TEXT,
    appointment_id BLOB REFERENCES appointments (id),
    recorded_by BLOB NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX measurements_patient_metric ON measurements (patient_id, metric, measured_at);
