-- Accounts: hashed calendar tokens, reset links that can be counted (throttling), and consent
-- to join an organisation.

-- Calendar subscription tokens are now stored as their SHA-256 (like sessions and one-time
-- links). SQLite cannot compute SHA-256 in SQL, so existing clear tokens are simply dropped:
-- their owners create a new link on their profile page (the old feed URL answers 404). The old
-- column stays (SQLite cannot drop a UNIQUE column) but is always NULL and never read.
ALTER TABLE users ADD COLUMN calendar_token_hash TEXT;
CREATE UNIQUE INDEX users_calendar_token_hash ON users(calendar_token_hash);
UPDATE users SET calendar_token = NULL;

-- One-time links say what they are for ('invitation' or 'reset') and when they were issued, so
-- that reset e-mails can be limited per account and per hour. Older rows have no date.
ALTER TABLE password_tokens ADD COLUMN purpose TEXT NOT NULL DEFAULT 'invitation';
ALTER TABLE password_tokens ADD COLUMN created_at TEXT;
CREATE INDEX password_tokens_user ON password_tokens(user_id, purpose, created_at);

-- A membership is 'active' (gives access) or 'pending': an existing account invited into another
-- organisation only joins it once its owner accepts.
ALTER TABLE memberships ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
