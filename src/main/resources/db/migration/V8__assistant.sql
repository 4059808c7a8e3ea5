-- The assistant: a bot user that answers in its conversations with users and, when mentioned,
-- in group rooms it was added to. Its replies are ordinary messages carrying the stream_id of
-- the deltas that preceded them and, when the reply did not complete, a status.

ALTER TABLE users ADD COLUMN is_bot BOOLEAN NOT NULL DEFAULT false;

-- The bot user: no password can match '!', and logins skip bots. It takes the username
-- "assistant" unless a person has it already.
INSERT INTO users (email, username, first_name, password_hash, status, email_verified_at, is_bot)
SELECT 'assistant@bots.parley.invalid',
       CASE WHEN EXISTS (SELECT 1 FROM users WHERE lower(username) = 'assistant') THEN 'parley_assistant' ELSE 'assistant' END,
       'Assistant', '!', 'active', now(), true;

ALTER TABLE messages
  ADD COLUMN stream_id TEXT,
  -- NULL: an ordinary message (or a reply that completed); 'error' or 'cancelled': a reply cut short
  ADD COLUMN status TEXT CHECK (status IN ('error', 'cancelled'));

-- Persistence nodes keep the set of rooms the bot is in (a new message there goes to the
-- assistant); joins and leaves of the bot tell them.
CREATE FUNCTION notify_bot_rooms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND is_bot) THEN
    PERFORM pg_notify('parley_bot_rooms', 'join:' || NEW.room_id);
  ELSIF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id AND is_bot) THEN
    PERFORM pg_notify('parley_bot_rooms', 'leave:' || OLD.room_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER room_members_bot AFTER INSERT OR DELETE ON room_members
  FOR EACH ROW EXECUTE FUNCTION notify_bot_rooms();

-- Assistant replies a day, per plan (NULL: unlimited).
ALTER TABLE plans ADD COLUMN daily_assistant_limit INTEGER CHECK (daily_assistant_limit >= 0);
UPDATE plans SET daily_assistant_limit = CASE code WHEN 'free' THEN 5 WHEN 'basic' THEN 50 WHEN 'pro' THEN 500 END;

CREATE TABLE assistant_usage (
  user_id BIGINT  NOT NULL REFERENCES users ON DELETE CASCADE,
  day     DATE    NOT NULL,
  used    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, day)
);

-- The assistant limit in force for a user now (NULL = unlimited): the largest of the plans their
-- live subscriptions grant, else the free plan's (as quota_limit_of does for messages).
CREATE FUNCTION assistant_limit_of(p_user BIGINT) RETURNS INTEGER LANGUAGE plpgsql STABLE AS $$
DECLARE
  lim INTEGER;
  found_sub BOOLEAN := false;
  r RECORD;
BEGIN
  FOR r IN SELECT p.daily_assistant_limit AS l FROM subscriptions s JOIN plans p ON p.id = s.plan_id
           WHERE s.user_id = p_user AND s.status IN ('active', 'trialing', 'past_due', 'canceled')
             AND s.current_period_end > now() LOOP
    IF NOT found_sub OR r.l IS NULL OR (lim IS NOT NULL AND r.l > lim) THEN
      lim := r.l;
    END IF;
    found_sub := true;
  END LOOP;
  IF NOT found_sub THEN
    SELECT daily_assistant_limit INTO lim FROM plans WHERE code = 'free';
  END IF;
  RETURN lim;
END $$;

-- Takes one assistant reply of the user's day (UTC) when the limit allows: taken, the limit and
-- the replies used today (after this one when taken). The row is locked: exact on every node.
CREATE FUNCTION assistant_take(p_user BIGINT, OUT taken BOOLEAN, OUT lim INTEGER, OUT used_today INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
  today DATE := (now() AT TIME ZONE 'UTC')::date;
BEGIN
  lim := assistant_limit_of(p_user);
  INSERT INTO assistant_usage (user_id, day, used) VALUES (p_user, today, 0) ON CONFLICT DO NOTHING;
  SELECT used INTO used_today FROM assistant_usage WHERE user_id = p_user AND day = today FOR UPDATE;
  IF lim IS NOT NULL AND used_today >= lim THEN
    taken := false;
    RETURN;
  END IF;
  UPDATE assistant_usage SET used = used + 1 WHERE user_id = p_user AND day = today;
  used_today := used_today + 1;
  taken := true;
END $$;
