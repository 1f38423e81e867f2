ALTER TABLE patients DROP COLUMN email_set_at;
ALTER TABLE patients DROP COLUMN email_set_by;
DROP TABLE email_outbox;
DROP TABLE password_tokens;
