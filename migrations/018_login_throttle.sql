-- Password guessing: wrong passwords per username (known or not, so answers do not tell which exist). From the
-- 5th, each attempt waits a doubling back-off; from the 10th the account is locked for 15 minutes at a time.
-- Kept in the database so every hub process sharing it counts the same attempts.
CREATE TABLE login_failures (
  username text PRIMARY KEY,
  failures integer NOT NULL,
  blocked_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_age ON login_failures (updated_at);
