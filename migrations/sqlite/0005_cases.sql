-- Cases and written advice (SPEC §4, §5). A case is pseudonymised: a code per organisation and
-- year (C-2026-014), age or age band, sex, clinical content; never a direct identifier (the
-- server re-checks every free-text field on each save). A case either asks for a written avis
-- (meeting_id NULL: a "demande d'avis") or is brought to a staff/RCP (meeting_id set).

-- Per organisation: days before an unanswered request is flagged, and the yearly
-- télé-expertise limit per patient code and answering doctor (SPEC §4: a setting, not a constant).
ALTER TABLE organisations ADD COLUMN advice_answer_days INTEGER NOT NULL DEFAULT 7;
ALTER TABLE organisations ADD COLUMN tele_expertise_yearly_limit INTEGER NOT NULL DEFAULT 4;

-- status: draft | submitted | withdrawn (CaseStatus); request_status: pending | taken |
-- answered (RequestStatus), for written requests once submitted. content and scales are JSON
-- documents (CaseContent; the scale answers item by item), replaced whole at each save; version
-- grows by one at each save so two tabs cannot silently overwrite each other.
CREATE TABLE cases (
    id                   INTEGER PRIMARY KEY,
    organisation_id      INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    code_year            INTEGER NOT NULL,
    code_number          INTEGER NOT NULL,
    -- The code of this patient's first case (a re-discussion carries it on): scale trends and
    -- the télé-expertise count follow the patient, not one case.
    patient_code         TEXT NOT NULL,
    author_id            INTEGER NOT NULL REFERENCES users(id),
    meeting_id           INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
    status               TEXT NOT NULL DEFAULT 'draft',
    request_status       TEXT,
    taken_by             INTEGER REFERENCES users(id),
    taken_at             TEXT,
    content              TEXT NOT NULL,
    scales               TEXT NOT NULL DEFAULT '[]',
    -- What lists show, computed from content and scales at each save (lists never read the
    -- clinical content): question type codes (comma-separated), missing items, readiness,
    -- PHQ-9 item 9 > 0.
    question_types       TEXT NOT NULL DEFAULT '',
    missing_count        INTEGER NOT NULL DEFAULT 0,
    ready                BOOLEAN NOT NULL DEFAULT FALSE,
    suicidal             BOOLEAN NOT NULL DEFAULT FALSE,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    submitted_at         TEXT,
    answered_at          TEXT,
    overdue_notified_at  TEXT,
    UNIQUE (organisation_id, code_year, code_number)
);
CREATE INDEX cases_author ON cases(author_id, updated_at);
CREATE INDEX cases_org ON cases(organisation_id, updated_at);
CREATE INDEX cases_meeting ON cases(meeting_id);

-- A short thread on a case: the psychiatrist asks the GP a question before answering.
CREATE TABLE case_messages (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users(id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX case_messages_case ON case_messages(case_id, id);

-- The avis: one row per version. A draft has no signed_at; signing makes it final; a correction
-- is a new version (the old ones stay, with their dates). written_by differs from signed_by when
-- a coordinator recorded it on a psychiatrist's behalf.
CREATE TABLE advice (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    version           INTEGER NOT NULL,
    written_by        INTEGER NOT NULL REFERENCES users(id),
    signed_by         INTEGER REFERENCES users(id),
    content           TEXT NOT NULL,
    patient_informed  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TEXT NOT NULL,
    signed_at         TEXT,
    UNIQUE (case_id, version)
);

-- Who read or changed what, when, from where. Append-only: no foreign keys (rows outlive what
-- they mention) and triggers refuse every UPDATE and DELETE.
CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY,
    at               TEXT NOT NULL,
    user_id          INTEGER NOT NULL,
    organisation_id  INTEGER NOT NULL,
    action           TEXT NOT NULL,
    case_id          INTEGER,
    client_ip        TEXT,
    detail           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_org ON audit_log(organisation_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
