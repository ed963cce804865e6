-- Least-privilege roles for tidemark.  Run the first half on the source and
-- the second on the target, as a superuser, after replacing the passwords
-- (or use certificates: sslmode=verify-full sslcert=... in the conninfo).
-- docs/privileges.md explains each grant.

-- ---------------------------------------------------------------- source
-- \connect app
CREATE ROLE tidemark_source LOGIN REPLICATION PASSWORD 'change me';
GRANT USAGE ON SCHEMA public TO tidemark_source;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO tidemark_source;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO tidemark_source;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO tidemark_source;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON SEQUENCES TO tidemark_source;
-- emit_watermark is revoked from PUBLIC by the extension:
-- GRANT EXECUTE ON FUNCTION tidemark.emit_watermark(text) TO tidemark_source;

-- ---------------------------------------------------------------- target
-- \connect app_copy
CREATE ROLE tidemark_target LOGIN PASSWORD 'change me';
GRANT CREATE ON DATABASE app_copy TO tidemark_target;          -- schema tidemark, and schemas of created tables
GRANT USAGE, CREATE ON SCHEMA public TO tidemark_target;
-- Progress is a replication origin, committed with the data.
GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text) TO tidemark_target;
GRANT EXECUTE ON FUNCTION pg_replication_origin_drop(text) TO tidemark_target;
GRANT EXECUTE ON FUNCTION pg_replication_origin_oid(text) TO tidemark_target;
GRANT EXECUTE ON FUNCTION pg_replication_origin_session_setup(text) TO tidemark_target;
GRANT EXECUTE ON FUNCTION pg_replication_origin_session_reset() TO tidemark_target;
GRANT EXECUTE ON FUNCTION pg_replication_origin_xact_setup(pg_lsn, timestamptz) TO tidemark_target;
GRANT EXECUTE ON FUNCTION pg_replication_origin_advance(text, pg_lsn) TO tidemark_target;
GRANT EXECUTE ON FUNCTION pg_replication_origin_progress(text, boolean) TO tidemark_target;
-- Applied rows do not fire the target's triggers or foreign-key checks, as
-- with PostgreSQL's own apply worker (PostgreSQL 15: GRANT SET ON PARAMETER).
GRANT SET ON PARAMETER session_replication_role TO tidemark_target;
-- Existing target tables that tidemark did not create must be writable by it:
-- GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO tidemark_target;
