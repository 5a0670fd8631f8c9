-- Sign-in throttling that locks nobody out.
--
-- Every sign-in attempt reserves a row before the password is checked (so parallel guesses
-- cannot exceed the budget); a successful attempt deletes its rows, a failed one leaves its row
-- as the failure. Rows are counted per client address and per account, and purged after a day.
CREATE TABLE sign_in_attempts (
    id            INTEGER PRIMARY KEY,
    -- SHA-256 of the normalised e-mail typed (the e-mail itself is not kept).
    account       TEXT NOT NULL,
    -- Client address (IPv4, or the /64 prefix of an IPv6 address).
    client        TEXT NOT NULL,
    -- SHA-256 of the browser's anti-forgery cookie: which browser made the attempt.
    browser       TEXT NOT NULL,
    -- Whether the browser held a trusted-device cookie of this account (exempt from the
    -- per-account limit).
    trusted       BOOLEAN NOT NULL DEFAULT FALSE,
    attempted_at  TEXT NOT NULL
);
CREATE INDEX sign_in_attempts_account ON sign_in_attempts(account, attempted_at);
CREATE INDEX sign_in_attempts_client ON sign_in_attempts(client, attempted_at);

-- Browsers where an account signed in successfully (the long-lived "device" cookie): only the
-- SHA-256 of the cookie value is stored. One browser may be trusted by several accounts.
CREATE TABLE trusted_devices (
    token_hash    TEXT NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX trusted_devices_expiry ON trusted_devices(expires_at);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Replaced by sign_in_attempts.
DROP TABLE login_failures;
