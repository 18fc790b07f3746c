-- Ending tokens before they expire. Logout revokes one token by its id (kept until it would have expired
-- anyway); a password change or disabling bumps the user's token_epoch, which every earlier token carries
-- and no longer matches, so re-enabling does not revive them. Both are read with the user row per request,
-- so every hub process sharing this database agrees at once.
ALTER TABLE users ADD COLUMN token_epoch integer NOT NULL DEFAULT 0;
CREATE TABLE revoked_tokens (
  id text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);
