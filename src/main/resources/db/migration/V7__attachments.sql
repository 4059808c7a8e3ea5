-- Attachments: uploaded files (images, audio, other files) whose bytes live in media storage
-- (keys a/<id> and, for images, t/<id> for the thumbnail) and whose description lives here.
-- An upload is unattached until a message of its uploader carries it (message_id) or it becomes
-- its uploader's avatar (users.avatar_attachment_id); unattached uploads are removed after a day.
CREATE TABLE attachments (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uploader_id     BIGINT      NOT NULL REFERENCES users ON DELETE CASCADE,
  kind            TEXT        NOT NULL CHECK (kind IN ('image', 'audio', 'file')),
  content_type    TEXT        NOT NULL,
  size            BIGINT      NOT NULL CHECK (size >= 0),
  name            TEXT        NOT NULL,
  width           INT,
  height          INT,
  duration_ms     BIGINT,
  -- content type of the thumbnail (t/<id>); null: none
  thumbnail_type  TEXT,
  message_id      BIGINT      REFERENCES messages ON DELETE SET NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- set when its message is deleted: hidden from everyone, its bytes removed by the sweep
  removed_at      TIMESTAMPTZ
);
CREATE INDEX attachments_unattached ON attachments (created_at) WHERE message_id IS NULL;
CREATE INDEX attachments_removed ON attachments (removed_at) WHERE removed_at IS NOT NULL;
CREATE INDEX attachments_message ON attachments (message_id) WHERE message_id IS NOT NULL;

-- The descriptions of a message's attachments, in the order they were sent (no URLs: those are
-- signed when the message is read). NULL: none.
ALTER TABLE messages ADD COLUMN attachments JSONB;

ALTER TABLE users ADD COLUMN avatar_attachment_id BIGINT REFERENCES attachments ON DELETE SET NULL;
