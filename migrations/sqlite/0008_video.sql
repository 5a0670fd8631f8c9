-- Video rooms: each stay of a person in a meeting's room (joined, left), from which the
-- session's attendance (and later the paid time) can be proposed. A stay still going on has no
-- left_at (nor has one cut short by a server that stopped abruptly).
CREATE TABLE room_presence (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at   TEXT NOT NULL,
    left_at     TEXT
);
CREATE INDEX room_presence_meeting ON room_presence(meeting_id, user_id);
