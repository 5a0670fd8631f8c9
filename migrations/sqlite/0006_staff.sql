-- Staff and RCP sessions (SPEC §3): the agenda with a slot per presenter, attendance, the item
-- being discussed, reading-ahead notes, quorum rules per organisation, and what an avis given in
-- a meeting was recorded as (RCP decision or avis sans quorum).

-- The agenda of a meeting, in order. A `case` item points to a case submitted to the meeting
-- (its title is then the case code, filled when read); other kinds (teaching, announcement) have
-- a title. A case item is a presenter's slot: it has its own calendar UID and SEQUENCE, sent to
-- the case's author when the agenda is published and again when the slot moves.
CREATE TABLE agenda_items (
    id              INTEGER PRIMARY KEY,
    meeting_id      INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    case_id         INTEGER REFERENCES cases(id) ON DELETE CASCADE,
    title           TEXT NOT NULL DEFAULT '',
    minutes         INTEGER NOT NULL,
    slot_uid        TEXT UNIQUE,
    slot_sequence   INTEGER NOT NULL DEFAULT 0,
    -- The slot as last sent (local start, minutes), to know whether it moved since.
    sent_start_local TEXT,
    sent_minutes    INTEGER,
    UNIQUE (meeting_id, case_id)
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, position);

-- Published agenda, the item under discussion, and a counter that grows at every change of the
-- session (attendance, current item) so pages watching it know when to refresh. The current
-- item has no foreign key (it would make meetings and agenda_items depend on each other when a
-- database is copied); an id that no longer exists reads as "no current item".
ALTER TABLE meetings ADD COLUMN agenda_published_at TEXT;
ALTER TABLE meetings ADD COLUMN current_item_id INTEGER;
ALTER TABLE meetings ADD COLUMN session_revision INTEGER NOT NULL DEFAULT 0;

-- Attendance: one row per person marked present or absent; arrival and departure in UTC.
CREATE TABLE attendance (
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    present      BOOLEAN NOT NULL,
    role         TEXT NOT NULL,
    arrived_at   TEXT,
    left_at      TEXT,
    recorded_by  INTEGER NOT NULL REFERENCES users(id),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

-- A psychiatrist's private preparation notes on a case (reading ahead): only they read them.
CREATE TABLE preparation_notes (
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (case_id, user_id)
);

-- Quorum per organisation and meeting kind; no row: the default of the kind (QuorumRule).
CREATE TABLE quorum_rules (
    organisation_id        INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    meeting_kind           TEXT NOT NULL,
    min_present            INTEGER NOT NULL,
    min_disciplines        INTEGER NOT NULL,
    psychiatrist_required  BOOLEAN NOT NULL,
    PRIMARY KEY (organisation_id, meeting_kind)
);

-- An avis given in a meeting: the meeting, what it counts as (DecisionKind code) and the
-- disciplines present when it was signed (comma-separated Discipline codes), for the fiche RCP.
ALTER TABLE advice ADD COLUMN meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL;
ALTER TABLE advice ADD COLUMN decision_kind TEXT;
ALTER TABLE advice ADD COLUMN disciplines TEXT;
ALTER TABLE advice ADD COLUMN quorum_met BOOLEAN;
