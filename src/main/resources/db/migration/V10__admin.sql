-- Roles and the audit log. Admins run the service; moderators keep rooms civil. Accounts whose
-- verified e-mail is listed in auth.admin_emails become admins when they log in.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'moderator', 'admin'));
ALTER TABLE users DROP CONSTRAINT users_status_check;
ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status IN ('active', 'invited', 'disabled'));

-- Every admin and moderator action, written in the same transaction as the change. Nothing
-- updates or deletes these rows through the API.
CREATE TABLE audit_log (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor_id    BIGINT      REFERENCES users ON DELETE SET NULL,
  action      TEXT        NOT NULL,
  target_type TEXT        NOT NULL,
  target_id   BIGINT,
  before      JSONB,
  after       JSONB,
  ip          TEXT,
  request_id  TEXT
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, id);
