-- The persistence nodes keep in memory which senders are on an unlimited plan, and until when,
-- so that their sends skip quota_take. Any change of a user's subscriptions (or of any plan)
-- tells them at commit with NOTIFY parley_quota (payload: the user id, or '*' for everyone).

CREATE OR REPLACE FUNCTION quota_forget_subscription() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE message_quota SET limit_until = NULL WHERE user_id = OLD.user_id;
    PERFORM pg_notify('parley_quota', OLD.user_id::text);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE message_quota SET limit_until = NULL WHERE user_id = NEW.user_id;
    PERFORM pg_notify('parley_quota', NEW.user_id::text);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION quota_forget_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE message_quota SET limit_until = NULL WHERE limit_until IS NOT NULL;
  PERFORM pg_notify('parley_quota', '*');
  RETURN NULL;
END $$;
