DROP TABLE audit_log;
DROP FUNCTION audit_log_refuse_change();
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE patients;
