-- Unread counts are counted from each member's read marker over this index: only the live
-- (not deleted) messages after the marker, so the count is proportional to what is unread.
CREATE INDEX messages_live ON messages (room_id, seq) WHERE deleted_at IS NULL;
