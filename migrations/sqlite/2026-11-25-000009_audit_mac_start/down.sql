DROP TABLE audit_mac_start;
