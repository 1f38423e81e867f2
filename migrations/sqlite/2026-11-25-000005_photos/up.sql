-- Clinical photos (SQLite): metadata only; the re-encoded file and its thumbnail
-- live in the media store under the SHA-256 of their bytes.
CREATE TABLE photos (
    id BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    patient_id BLOB NOT NULL REFERENCES patients (id),
    taken_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('before', 'after', 'follow_up')),
    view TEXT NOT NULL CHECK (view IN ('frontal', 'left_45', 'right_45', 'left_profile', 'right_profile')),
    appointment_id BLOB REFERENCES appointments (id),
    procedure_id BLOB REFERENCES procedures (id),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    width INTEGER NOT NULL CHECK (width >= 1),
    height INTEGER NOT NULL CHECK (height >= 1),
    byte_size BIGINT NOT NULL CHECK (byte_size >= 1),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    thumb_sha256 TEXT NOT NULL CHECK (length(thumb_sha256) = 64),
    thumb_width INTEGER NOT NULL CHECK (thumb_width >= 1),
    thumb_height INTEGER NOT NULL CHECK (thumb_height >= 1),
    taken_by BLOB NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX photos_patient ON photos (patient_id, view, taken_at);
