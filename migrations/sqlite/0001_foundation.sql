-- Foundation schema: organisations, accounts, sessions, meetings with series, invitations,
-- the mail outbox. Instants are stored in UTC (ISO 8601 text in SQLite); a series keeps its
-- local wall-clock time and its time zone.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT,
    is_admin        BOOLEAN NOT NULL DEFAULT FALSE,
    calendar_token  TEXT UNIQUE,
    created_at      TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (user_id, organisation_id)
);

-- Server-side sessions: only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    id_hash          TEXT PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organisation_id  INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    expires_at       TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    failed_at     TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, failed_at);

-- One-time links (invitation to set a password, password reset): only the hash is stored.
CREATE TABLE password_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

CREATE TABLE series (
    id                  INTEGER PRIMARY KEY,
    organisation_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    uid                 TEXT NOT NULL UNIQUE,
    rrule               TEXT NOT NULL,
    time_zone           TEXT NOT NULL,
    first_start_local   TEXT NOT NULL,
    -- The template every new occurrence copies.
    kind                    TEXT NOT NULL,
    title                   TEXT NOT NULL,
    description_md          TEXT NOT NULL DEFAULT '',
    duration_minutes        INTEGER NOT NULL,
    mode                    TEXT NOT NULL,
    address                 TEXT,
    deadline_before_minutes INTEGER NOT NULL,
    max_cases               INTEGER,
    sequence            INTEGER NOT NULL DEFAULT 0,
    cancelled           BOOLEAN NOT NULL DEFAULT FALSE,
    created_by          INTEGER NOT NULL REFERENCES users(id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- One row per meeting, and per occurrence of a series (materialised, so each occurrence can be
-- edited, cancelled and answered on its own).
CREATE TABLE meetings (
    id                   INTEGER PRIMARY KEY,
    organisation_id      INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    uid                  TEXT NOT NULL,
    series_id            INTEGER REFERENCES series(id) ON DELETE CASCADE,
    occurrence_local     TEXT,
    overridden           BOOLEAN NOT NULL DEFAULT FALSE,
    kind                 TEXT NOT NULL,
    title                TEXT NOT NULL,
    description_md       TEXT NOT NULL DEFAULT '',
    start_utc            TEXT NOT NULL,
    start_local          TEXT NOT NULL,
    time_zone            TEXT NOT NULL,
    duration_minutes     INTEGER NOT NULL,
    mode                 TEXT NOT NULL,
    address              TEXT,
    submission_deadline  TEXT NOT NULL,
    max_cases            INTEGER,
    cancelled            BOOLEAN NOT NULL DEFAULT FALSE,
    sequence             INTEGER NOT NULL DEFAULT 0,
    created_by           INTEGER NOT NULL REFERENCES users(id),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    reminder_sent_at     TEXT
);
CREATE INDEX meetings_org_start ON meetings(organisation_id, start_utc);
CREATE INDEX meetings_series ON meetings(series_id);
CREATE UNIQUE INDEX meetings_occurrence ON meetings(series_id, occurrence_local);

CREATE TABLE invitations (
    meeting_id    INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    response      TEXT NOT NULL DEFAULT 'needs_action',
    responded_at  TEXT,
    invited_at    TEXT NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX invitations_user ON invitations(user_id);

-- Transactional outbox: every e-mail is first a row here, written in the same transaction as the
-- change it announces; a background worker delivers it (SMTP or .eml files) and marks it sent.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    recipient     TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body_text     TEXT NOT NULL,
    -- The calendar attachment is rendered at delivery from the meeting's current state.
    ics_meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
    ics_scope     TEXT,
    ics_method    TEXT,
    dedup_key     TEXT UNIQUE,
    created_at    TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    sent_at       TEXT
);
CREATE INDEX outbox_pending ON outbox(sent_at);
