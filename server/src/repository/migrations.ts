/**
 * Schema migrations, applied in order at open; PRAGMA user_version records how many ran.
 * Append new steps; never edit a released one. DDL shared with PostgreSQL's steps is in ./ddl.ts.
 */
import { bureauNotesDdl, bureauTokensDdl, caseChannelDdl, SQLITE } from './ddl'

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE submissions (
    id                 TEXT PRIMARY KEY,
    idempotency_key    TEXT NOT NULL UNIQUE,
    request_hash       TEXT NOT NULL,
    envelope_version   INTEGER NOT NULL,
    suite              TEXT NOT NULL,
    kid                TEXT NOT NULL,
    epk                TEXT NOT NULL,
    report             BLOB NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('open', 'accepted')),
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER,
    accepted_at        INTEGER,
    receipt_hash       TEXT UNIQUE,
    status             TEXT CHECK (status IN ('received', 'reviewing', 'closed')),
    status_changed_at  INTEGER,
    public_note        TEXT CHECK (public_note IS NULL OR length(public_note) <= 500)
  ) STRICT;
  CREATE INDEX submissions_open_expiry ON submissions (expires_at) WHERE state = 'open';
  CREATE INDEX submissions_created ON submissions (created_at, id);
  CREATE TABLE attachments (
    submission_id  TEXT NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    n              INTEGER NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    PRIMARY KEY (submission_id, n)
  ) STRICT, WITHOUT ROWID;
  `,
  // Receipt hashes record their scheme (server/src/receipts.ts): 1 = scrypt only (before the
  // pepper), 2 = HMAC(pepper, scrypt). Times are kept to the minute only (harder to match a report
  // against a proxy's or an ISP's logs): earlier rows are rounded down too.
  `
  ALTER TABLE submissions ADD COLUMN receipt_scheme INTEGER CHECK (receipt_scheme IN (1, 2));
  UPDATE submissions SET receipt_scheme = 1 WHERE receipt_hash IS NOT NULL;
  UPDATE submissions SET
    created_at = created_at - created_at % 60000,
    expires_at = expires_at - expires_at % 60000,
    accepted_at = accepted_at - accepted_at % 60000,
    status_changed_at = status_changed_at - status_changed_at % 60000;
  `,
  // The case channel (issue 14, docs/protocol.md §18-§21). case_kind: how the receipt hash was
  // made: 'legacy' = HMAC(pepper, scrypt(R, serverSalt)) from an old app's {receipt}, 'case' =
  // HMAC(pepper, A) from a new app's authenticator. reply_key: D' of a legacy case (the server's
  // word). closed_at: when the status last became closed (the writing window runs from there).
  `${caseChannelDdl(SQLITE)}
  CREATE TABLE case_attachments (
    msg_id  TEXT NOT NULL REFERENCES case_messages (msg_id) ON DELETE CASCADE,
    n       INTEGER NOT NULL,
    size    INTEGER NOT NULL,
    crc32   TEXT NOT NULL,
    PRIMARY KEY (msg_id, n)
  ) STRICT, WITHOUT ROWID;
  `,
  // Issue 15, the bureau API: the branch office the phone declared (for branch-limited tokens),
  // workstation tokens (only a hash of each secret), the append-only audit log, internal notes
  // (ciphertext only the bureau key opens) and the first read mark.
  `${bureauTokensDdl(SQLITE)}
  CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    token_id    TEXT NOT NULL,
    token_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    case_id     TEXT,
    detail      TEXT CHECK (detail IS NULL OR length(detail) <= 100)
  ) STRICT;
  CREATE INDEX audit_log_case ON audit_log (case_id, seq);
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  ${bureauNotesDdl(SQLITE)}
  `,
]
