-- Video rooms: one-time guest links (the patient of a joint consultation joins without an
-- account). Only hashes are kept: of the link's token, and of the secret given to the one
-- browser that opened it first (the link cannot be reused elsewhere). No name is stored: the
-- guest types the name shown on their tile.
CREATE TABLE room_guests (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_by  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    claim_hash  TEXT UNIQUE,
    claimed_at  TEXT,
    revoked_at  TEXT
);
CREATE INDEX room_guests_meeting ON room_guests(meeting_id);
