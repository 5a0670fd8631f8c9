-- Each territory's words (identifier guard): an organisation's allow-list (local place and
-- programme names, names a service is named after) and deny-list (surnames common in the
-- territory). list: allow | deny. status: pending (a clinician's "pas un identifiant", waiting for
-- a coordinator) | approved. Only approved entries apply. key: the folded form, unique per list.
CREATE TABLE territory_words (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    list             TEXT NOT NULL,
    entry            TEXT NOT NULL,
    entry_key        TEXT NOT NULL,
    status           TEXT NOT NULL,
    proposed_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL,
    decided_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_at       TEXT,
    UNIQUE (organisation_id, list, entry_key)
);
