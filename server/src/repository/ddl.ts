/**
 * DDL that the SQLite migrations (./migrations.ts) and the PostgreSQL ones (./pg-migrations.ts)
 * share, written once for both dialects: the same tables, columns and constraints, with each
 * dialect's types and functions. What differs in substance (PostgreSQL's extra CHECKs, SQLite's
 * AUTOINCREMENT and triggers) stays in the migration of its own backend.
 *
 * These strings are parts of released migrations: the SQL they produce must never change (a new
 * step is a new migration). __tests__/server/migrations-ddl.test.ts pins it.
 */

export interface Dialect {
  /** Epoch-ms times and byte sizes. */
  bigint: string
  blob: string
  /** Characters of a text. */
  charLength: string
  /** Bytes of a blob. */
  byteLength: string
  /** After a table's closing parenthesis. */
  strict: string
}

export const SQLITE: Dialect = { bigint: 'INTEGER', blob: 'BLOB', charLength: 'length', byteLength: 'length', strict: ' STRICT' }
export const POSTGRES: Dialect = { bigint: 'BIGINT', blob: 'BYTEA', charLength: 'char_length', byteLength: 'octet_length', strict: '' }

/** The case channel's columns on submissions and its messages table (SQLite 3, PostgreSQL 2). */
export const caseChannelDdl = (d: Dialect) => `
  ALTER TABLE submissions ADD COLUMN case_kind TEXT CHECK (case_kind IN ('legacy', 'case'));
  UPDATE submissions SET case_kind = 'legacy' WHERE state = 'accepted';
  ALTER TABLE submissions ADD COLUMN reply_key ${d.blob} CHECK (reply_key IS NULL OR ${d.byteLength}(reply_key) = 32);
  ALTER TABLE submissions ADD COLUMN closed_at ${d.bigint};
  UPDATE submissions SET closed_at = status_changed_at WHERE status = 'closed';
  CREATE TABLE case_messages (
    msg_id        TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    sender        TEXT NOT NULL CHECK (sender IN ('resident', 'bureau')),
    header        TEXT NOT NULL,
    message       ${d.blob} NOT NULL,
    copy          ${d.blob} NOT NULL,
    request_hash  TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('open', 'accepted')),
    seq           INTEGER,
    created_at    ${d.bigint} NOT NULL,
    expires_at    ${d.bigint},
    accepted_at   ${d.bigint},
    read_at       ${d.bigint},
    UNIQUE (case_id, seq)
  )${d.strict};
  CREATE INDEX case_messages_case ON case_messages (case_id, created_at);
  CREATE INDEX case_messages_open_expiry ON case_messages (expires_at) WHERE state = 'open';`

/** The bureau API's columns on submissions and its tokens table (SQLite 4, PostgreSQL 3). */
export const bureauTokensDdl = (d: Dialect) => `
  ALTER TABLE submissions ADD COLUMN branch TEXT CHECK (branch IS NULL OR (${d.charLength}(branch) BETWEEN 1 AND 32));
  ALTER TABLE submissions ADD COLUMN bureau_read_at ${d.bigint};
  CREATE INDEX submissions_branch_created ON submissions (branch, created_at, id);
  CREATE TABLE bureau_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL CHECK (${d.charLength}(name) BETWEEN 1 AND 100),
    secret_hash   TEXT NOT NULL UNIQUE CHECK (${d.charLength}(secret_hash) = 64),
    branches      TEXT NOT NULL,
    created_at    ${d.bigint} NOT NULL,
    revoked_at    ${d.bigint},
    last_used_at  ${d.bigint}
  )${d.strict};`

/** The bureau's internal notes (ciphertext only the bureau key opens). */
export const bureauNotesDdl = (d: Dialect) => `
  CREATE TABLE bureau_notes (
    id             TEXT PRIMARY KEY,
    submission_id  TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    token_id       TEXT NOT NULL,
    created_at     ${d.bigint} NOT NULL,
    header         TEXT NOT NULL CHECK (${d.charLength}(header) <= 1000),
    object         ${d.blob} NOT NULL
  )${d.strict};
  CREATE INDEX bureau_notes_case ON bureau_notes (submission_id, created_at, id);`

/**
 * PostgreSQL only: a chunk-row blob store's two tables (../blobstore/pg.ts), `blob` for reports'
 * attachments, `case_blob` for case messages' added files.
 */
export const chunkTablesDdl = (prefix: 'blob' | 'case_blob') => `
  CREATE TABLE ${prefix}_objects (
    submission_id  TEXT NOT NULL CHECK (submission_id ~ '^[0-9a-f]{32}$'),
    n              SMALLINT NOT NULL CHECK (n >= 0),
    size           BIGINT NOT NULL DEFAULT 0 CHECK (size >= 0),
    committed      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (submission_id, n)
  );
  CREATE TABLE ${prefix}_chunks (
    submission_id  TEXT NOT NULL,
    n              SMALLINT NOT NULL,
    off            BIGINT NOT NULL CHECK (off >= 0),
    data           BYTEA NOT NULL CHECK (octet_length(data) > 0),
    PRIMARY KEY (submission_id, n, off),
    FOREIGN KEY (submission_id, n) REFERENCES ${prefix}_objects (submission_id, n) ON DELETE CASCADE
  );
  -- Ciphertext does not compress: store it out of line without trying.
  ALTER TABLE ${prefix}_chunks ALTER COLUMN data SET STORAGE EXTERNAL;`
