/**
 * PostgreSQL schema migrations, applied in order by PgRepository.open under an advisory lock (so
 * several instances starting at once run each step exactly once); the schema_migrations table
 * records the versions applied. Append new steps; never edit a released one.
 *
 * Version N here is the same schema as SQLite's MIGRATIONS[N-1] (./migrations.ts) where the tables
 * overlap, with the same rules: strict types (PostgreSQL is strict by nature), CHECK constraints
 * for every closed set of values, times in epoch ms to the minute, no client metadata. On top of
 * that it holds what SQLite keeps in files: attachment bytes as chunk rows (the shared blob store,
 * ../blobstore/pg.ts) and the receipt salt (server_secrets), so that every instance sees them.
 *
 * Adding a table of another feature: add the SQLite step to ./migrations.ts and the PostgreSQL
 * step here (TEXT/INTEGER → TEXT/BIGINT, BLOB → BYTEA, `STRICT`/`WITHOUT ROWID` dropped), then run
 * the repository contract suite (__tests__/server/repository-contract.ts) against both. DDL both
 * backends write alike is in ./ddl.ts, once.
 */
import { bureauNotesDdl, bureauTokensDdl, caseChannelDdl, chunkTablesDdl, POSTGRES } from './ddl'

export const PG_MIGRATIONS: readonly string[] = [
  // 1: SQLite 1 + 2 (receipt schemes, minute times), chunk rows and shared secrets.
  `
  CREATE TABLE submissions (
    id                 TEXT PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
    idempotency_key    TEXT NOT NULL UNIQUE CHECK (idempotency_key ~ '^[0-9a-f]{64}$'),
    request_hash       TEXT NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    envelope_version   SMALLINT NOT NULL CHECK (envelope_version IN (1, 2)),
    suite              TEXT NOT NULL,
    kid                TEXT NOT NULL,
    epk                TEXT NOT NULL,
    report             BYTEA NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('open', 'accepted')),
    created_at         BIGINT NOT NULL,
    expires_at         BIGINT,
    accepted_at        BIGINT,
    receipt_hash       TEXT UNIQUE CHECK (receipt_hash ~ '^[0-9a-f]{64}$'),
    receipt_scheme     SMALLINT CHECK (receipt_scheme IN (1, 2)),
    status             TEXT CHECK (status IN ('received', 'reviewing', 'closed')),
    status_changed_at  BIGINT,
    public_note        TEXT CHECK (public_note IS NULL OR char_length(public_note) <= 500),
    CHECK ((receipt_hash IS NULL) = (receipt_scheme IS NULL)),
    CHECK (state = 'accepted' OR (receipt_hash IS NULL AND status IS NULL AND expires_at IS NOT NULL))
  );
  CREATE INDEX submissions_open_expiry ON submissions (expires_at) WHERE state = 'open';
  CREATE INDEX submissions_created ON submissions (created_at, id);
  CREATE TABLE attachments (
    submission_id  TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    n              SMALLINT NOT NULL CHECK (n >= 0),
    size           BIGINT NOT NULL CHECK (size > 0),
    sha256         TEXT NOT NULL CHECK (sha256 ~ '^([0-9a-f]{8}|[0-9a-f]{64})$'),
    PRIMARY KEY (submission_id, n)
  );
  -- The blob store: one row per object, its bytes as the chunks acknowledged to the client.
  -- Deliberately no foreign key to submissions: like blob files, objects may outlive their row
  -- (a crash between the two deletes) and the sweep removes such orphans.${chunkTablesDdl('blob')}
  -- Values every instance must share (the receipt salt; in development, the development pepper).
  CREATE TABLE server_secrets (
    name   TEXT PRIMARY KEY CHECK (name IN ('receipt-salt', 'receipt-pepper.dev')),
    value  BYTEA NOT NULL CHECK (octet_length(value) = 32)
  );
  `,
  // 2: SQLite 3, the case channel (issue 14, docs/protocol.md §18-§21): case_kind, reply_key,
  // closed_at, messages with their declared added files; and the case blob store's chunk tables.
  `${caseChannelDdl(POSTGRES)}
  CREATE TABLE case_attachments (
    msg_id  TEXT NOT NULL REFERENCES case_messages (msg_id) ON DELETE CASCADE,
    n       SMALLINT NOT NULL CHECK (n >= 0),
    size    BIGINT NOT NULL CHECK (size > 0),
    crc32   TEXT NOT NULL CHECK (crc32 ~ '^[0-9a-f]{8}$'),
    PRIMARY KEY (msg_id, n)
  );
  ${chunkTablesDdl('case_blob')}
  `,
  // 3: SQLite 4, the bureau API (issue 15): the declared branch and the first read mark on
  // submissions, workstation tokens (only a hash of each secret), the append-only audit log
  // (triggers refuse UPDATE, DELETE and TRUNCATE; seq numbered gap-free under an advisory lock)
  // and internal notes (ciphertext only the bureau key opens).
  `${bureauTokensDdl(POSTGRES)}
  CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY CHECK (seq > 0),
    at          BIGINT NOT NULL,
    token_id    TEXT NOT NULL,
    token_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    case_id     TEXT,
    detail      TEXT CHECK (detail IS NULL OR char_length(detail) <= 100)
  );
  CREATE INDEX audit_log_case ON audit_log (case_id, seq);
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only'; END
  $$;
  CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  ${bureauNotesDdl(POSTGRES)}
  `,
]
