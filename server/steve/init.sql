-- Test data for ocpp-cp against SteVe. Apply only AFTER SteVe migrated stevedb (the `seed`
-- service in docker-compose.yml waits for that). Idempotent: safe to apply again.

-- Charge points. SteVe rejects unknown ids (HTTP 404) unless auto.register.unknown.stations.
INSERT INTO charge_box (charge_box_id, registration_status, description)
VALUES ('CP_1', 'Accepted', 'ocpp-cp simulator / ESPHome charger'),
       ('CP_2', 'Accepted', 'ocpp-cp second charger')
ON DUPLICATE KEY UPDATE registration_status = VALUES(registration_status);

-- Security profile 0 (no Basic auth) where this SteVe version has the columns (added by
-- its migration V1_1_1); older releases have neither column and need nothing.
SET @has_security = (SELECT COUNT(*) FROM information_schema.columns
                     WHERE table_schema = DATABASE() AND table_name = 'charge_box'
                       AND column_name IN ('security_profile', 'auth_password'));
SET @sql = IF(@has_security = 2,
    'UPDATE charge_box SET security_profile = 0, auth_password = NULL WHERE charge_box_id IN (''CP_1'', ''CP_2'')',
    'DO 0');
PREPARE stmt FROM @sql;
EXECUTE stmt;
DEALLOCATE PREPARE stmt;

-- RFID tags. A parent comes before the tags that point to it (foreign key).
--   TAG1, TAG2   accepted, one transaction at a time
--   PARENT1      group tag; CHILD1 belongs to it (stop with either, 1.6 §3.5.2)
--   BLOCKED1     max_active_transaction_count 0 = Blocked in SteVe
--   EXPIRED1     expiry date in the past = Expired
INSERT INTO ocpp_tag (id_tag, parent_id_tag, expiry_date, max_active_transaction_count, note)
VALUES ('PARENT1', NULL, NULL, 1, 'ocpp-cp test: parent tag')
ON DUPLICATE KEY UPDATE max_active_transaction_count = VALUES(max_active_transaction_count);

INSERT INTO ocpp_tag (id_tag, parent_id_tag, expiry_date, max_active_transaction_count, note)
VALUES ('TAG1', NULL, NULL, 1, 'ocpp-cp test: accepted'),
       ('TAG2', NULL, NULL, 1, 'ocpp-cp test: accepted'),
       ('CHILD1', 'PARENT1', NULL, 1, 'ocpp-cp test: child of PARENT1'),
       ('BLOCKED1', NULL, NULL, 0, 'ocpp-cp test: blocked'),
       ('EXPIRED1', NULL, '2020-01-01 00:00:00', 1, 'ocpp-cp test: expired')
ON DUPLICATE KEY UPDATE parent_id_tag = VALUES(parent_id_tag),
                        expiry_date = VALUES(expiry_date),
                        max_active_transaction_count = VALUES(max_active_transaction_count);
