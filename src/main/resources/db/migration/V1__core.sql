-- Parley core schema: accounts, rooms, members, messages and the per-room event stream.

CREATE TABLE users (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email         TEXT        NOT NULL,
  username      TEXT        NOT NULL,
  first_name    TEXT,
  last_name     TEXT,
  password_hash TEXT        NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
-- prefix search (LIKE 'abc%') on username and e-mail
CREATE INDEX users_username_prefix ON users (lower(username) text_pattern_ops);
CREATE INDEX users_email_prefix ON users (lower(email) text_pattern_ops);

-- Refresh tokens: only a SHA-256 of the token is stored. A token is single use; presenting a
-- used one again revokes its whole family (rotation with reuse detection).
CREATE TABLE refresh_tokens (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    BIGINT      NOT NULL REFERENCES users ON DELETE CASCADE,
  token_hash BYTEA       NOT NULL UNIQUE,
  family     UUID        NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at    TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- Rooms: group rooms (public or private) and one-to-one conversations ('direct').
-- last_seq is the head of the room's event stream; it is bumped under the row lock in the
-- same transaction that stores the event, so seq is gap-free per room.
CREATE TABLE rooms (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        TEXT        NOT NULL CHECK (kind IN ('group', 'direct')),
  name        TEXT,
  description TEXT,
  is_private  BOOLEAN     NOT NULL DEFAULT false,
  owner_id    BIGINT      REFERENCES users ON DELETE SET NULL,
  direct_key  TEXT        UNIQUE,
  last_seq    BIGINT      NOT NULL DEFAULT 0,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX rooms_public ON rooms (id) WHERE kind = 'group' AND NOT is_private;

CREATE TABLE room_members (
  room_id       BIGINT      NOT NULL REFERENCES rooms ON DELETE CASCADE,
  user_id       BIGINT      NOT NULL REFERENCES users ON DELETE CASCADE,
  role          TEXT        NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
  last_read_seq BIGINT      NOT NULL DEFAULT 0,
  joined_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_user ON room_members (user_id, room_id);

-- Messages. seq is the seq of the event that created the message. (room_id, author_id,
-- client_msg_id) is the idempotency key of sends, on every node.
CREATE TABLE messages (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  room_id       BIGINT      NOT NULL REFERENCES rooms ON DELETE CASCADE,
  seq           BIGINT      NOT NULL,
  author_id     BIGINT      REFERENCES users ON DELETE SET NULL,
  client_msg_id TEXT        NOT NULL,
  body          TEXT,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  edited_at     TIMESTAMPTZ,
  deleted_at    TIMESTAMPTZ,
  UNIQUE (room_id, seq),
  UNIQUE (room_id, author_id, client_msg_id)
);

-- The room's event stream: one row per seq (message created, updated, deleted; member joined,
-- left; room updated). payload is the exact JSON frame sent to clients, so a replay is a
-- range scan of the primary key. Deleting a message redacts the body in its earlier events.
CREATE TABLE room_events (
  room_id    BIGINT      NOT NULL REFERENCES rooms ON DELETE CASCADE,
  seq        BIGINT      NOT NULL,
  type       TEXT        NOT NULL,
  message_id BIGINT,
  payload    JSONB       NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, seq)
);
CREATE INDEX room_events_message ON room_events (message_id) WHERE message_id IS NOT NULL;
