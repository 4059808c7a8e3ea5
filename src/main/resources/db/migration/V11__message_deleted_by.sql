-- Who deleted a message, kept with its tombstone so history says it as the live event did:
-- {"user_id": n, "role": "author" | "moderator" | "admin"} (null while the message is live, and
-- for messages deleted before this migration). Nullable without a default: no table rewrite.
ALTER TABLE messages ADD COLUMN deleted_by JSONB;
