-- The id of the AUDIT_HMAC_KEYS key that signed each audit row, so a key can be rotated and older rows still
-- verify with the key they were signed with. NULL: written before key ids (verified with the first key listed).
ALTER TABLE "AuditEvent" ADD COLUMN "keyId" TEXT;
