-- The outbox keeps each message as sent: its calendar attachment is rendered when the message is
-- queued (in the transaction of the change it announces), never at delivery from the meeting's
-- later state. Delivery claims a row (a lease that expires if the process dies), retries with
-- back-off, and coordinators see the messages that keep failing.
ALTER TABLE outbox ADD COLUMN ics_text TEXT;
ALTER TABLE outbox ADD COLUMN organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
CREATE INDEX outbox_failing ON outbox(organisation_id, attempts);
