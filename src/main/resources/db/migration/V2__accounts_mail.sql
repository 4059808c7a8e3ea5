-- Accounts: e-mail verification, invitations (accounts without a password yet), single-use
-- tokens; the durable mail outbox.

ALTER TABLE users
  ADD COLUMN email_verified_at TIMESTAMPTZ,
  ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invited')),
  ALTER COLUMN password_hash DROP NOT NULL;

-- Accounts created before verification existed count as verified.
UPDATE users SET email_verified_at = created_at WHERE email_verified_at IS NULL;

-- Single-use tokens mailed to users; only a SHA-256 of the token is stored.
CREATE TABLE user_tokens (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    BIGINT      NOT NULL REFERENCES users ON DELETE CASCADE,
  purpose    TEXT        NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'invite')),
  token_hash BYTEA       NOT NULL UNIQUE,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at    TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

-- The mail outbox: rows are written in the transaction that decides to send the mail, and the
-- mail verticle delivers them with retries. params holds the template's values (the link
-- token among them) and is cleared once the mail is sent.
CREATE TABLE mail_outbox (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template        TEXT        NOT NULL,
  to_address      TEXT        NOT NULL,
  params          JSONB,
  status          TEXT        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts        INT         NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  locked_until    TIMESTAMPTZ,
  last_error      TEXT,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  sent_at         TIMESTAMPTZ
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
