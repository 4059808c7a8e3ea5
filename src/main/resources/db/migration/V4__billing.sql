-- Billing: plans, Stripe customers, subscriptions, checkout sessions, payments, processed
-- webhook events, and the daily message quota checked inside the send statement.

-- Plans sold. daily_message_limit NULL = unlimited. price_cents per interval_days.
CREATE TABLE plans (
  id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code                TEXT        NOT NULL UNIQUE,
  name                TEXT        NOT NULL,
  price_cents         INTEGER     NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
  currency            TEXT        NOT NULL DEFAULT 'usd',
  interval_days       INTEGER     NOT NULL DEFAULT 30 CHECK (interval_days > 0),
  daily_message_limit INTEGER     CHECK (daily_message_limit >= 0),
  stripe_price_id     TEXT        UNIQUE,
  active              BOOLEAN     NOT NULL DEFAULT true,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO plans (code, name, price_cents, currency, interval_days, daily_message_limit) VALUES
  ('free', 'Free', 0, 'usd', 30, 10),
  ('basic', 'Basic', 999, 'usd', 30, 100),
  ('pro', 'Pro', 1999, 'usd', 30, NULL);

-- One Stripe customer per user, created once and reused.
CREATE TABLE stripe_customers (
  user_id     BIGINT      PRIMARY KEY REFERENCES users ON DELETE CASCADE,
  customer_id TEXT        NOT NULL UNIQUE,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Checkout sessions started by users (the web client polls one until its webhook landed).
CREATE TABLE checkout_sessions (
  session_id   TEXT        PRIMARY KEY,
  user_id      BIGINT      NOT NULL REFERENCES users ON DELETE CASCADE,
  plan_id      BIGINT      NOT NULL REFERENCES plans,
  status       TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'complete', 'expired')),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at TIMESTAMPTZ
);
CREATE INDEX checkout_sessions_user ON checkout_sessions (user_id, created_at DESC);

-- Subscriptions as Stripe reports them. A subscription grants its plan while its status is
-- active, trialing, past_due or canceled and its period has not ended (a cancellation or a
-- downgrade takes effect at the period end: scheduled_plan_id takes over with the next period).
-- event_created (Stripe's event time, unix seconds) lets state move forward only.
CREATE TABLE subscriptions (
  id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stripe_subscription_id TEXT        NOT NULL UNIQUE,
  user_id                BIGINT      NOT NULL REFERENCES users ON DELETE CASCADE,
  plan_id                BIGINT      NOT NULL REFERENCES plans,
  scheduled_plan_id      BIGINT      REFERENCES plans,
  status                 TEXT        NOT NULL,
  current_period_start   TIMESTAMPTZ,
  current_period_end     TIMESTAMPTZ NOT NULL,
  cancel_at_period_end   BOOLEAN     NOT NULL DEFAULT false,
  event_created          BIGINT      NOT NULL DEFAULT 0,
  created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_user ON subscriptions (user_id, current_period_end DESC);

-- Payments: one row per Stripe invoice (or a checkout session paid without one).
CREATE TABLE payments (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id           BIGINT      NOT NULL REFERENCES users ON DELETE CASCADE,
  amount_cents      BIGINT      NOT NULL,
  currency          TEXT        NOT NULL,
  stripe_invoice_id TEXT        UNIQUE,
  stripe_session_id TEXT        UNIQUE,
  status            TEXT        NOT NULL CHECK (status IN ('paid', 'failed', 'open')),
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (stripe_invoice_id IS NOT NULL OR stripe_session_id IS NOT NULL)
);
CREATE INDEX payments_user ON payments (user_id, created_at DESC);

-- Webhook events processed: the unique key is taken in the same transaction as the effect.
CREATE TABLE stripe_events (
  event_id     TEXT        PRIMARY KEY,
  type         TEXT        NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Messages a user sent on a day (usage and quota recounts).
CREATE INDEX messages_author_time ON messages (author_id, created_at);

-- The daily quota of each user who sent: used today (UTC) and the plan's limit, cached until
-- limit_until (at most the next UTC midnight or the granting period's end; cleared by any
-- change of the user's subscriptions or of a plan).
CREATE TABLE message_quota (
  user_id     BIGINT      PRIMARY KEY REFERENCES users ON DELETE CASCADE,
  day         DATE        NOT NULL,
  used        INTEGER     NOT NULL DEFAULT 0,
  daily_limit INTEGER,
  limit_until TIMESTAMPTZ
);

-- The daily message limit in force for a user now (NULL = unlimited) and until when it holds:
-- the largest limit of the subscriptions granting a plan, else the free plan's.
CREATE FUNCTION quota_limit_of(p_user BIGINT, OUT lim INTEGER, OUT until TIMESTAMPTZ)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  midnight TIMESTAMPTZ := (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC';
  found_sub BOOLEAN := false;
  r RECORD;
BEGIN
  until := midnight;
  FOR r IN SELECT p.daily_message_limit AS l, s.current_period_end AS e
           FROM subscriptions s JOIN plans p ON p.id = s.plan_id
           WHERE s.user_id = p_user AND s.status IN ('active', 'trialing', 'past_due', 'canceled')
             AND s.current_period_end > now() LOOP
    IF NOT found_sub OR r.l IS NULL OR (lim IS NOT NULL AND r.l > lim) THEN
      lim := r.l;
    END IF;
    found_sub := true;
    until := least(until, r.e);
  END LOOP;
  IF NOT found_sub THEN
    SELECT daily_message_limit INTO lim FROM plans WHERE code = 'free';
  END IF;
END $$;

-- Takes up to p_n of the user's daily quota and answers how many it took (0..p_n). Unlimited
-- users with a fresh cache cost one primary-key read, no lock, no write. Otherwise the user's
-- row is locked (so concurrent sends on every node count exactly), the limit re-read when the
-- cache expired (and a limited user's usage today recounted from the stored messages), then used is raised.
-- Runs inside the send statement: a send that is rolled back gives its quota back.
CREATE FUNCTION quota_take(p_user BIGINT, p_n INTEGER) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  q message_quota%ROWTYPE;
  today DATE := (now() AT TIME ZONE 'UTC')::date;
  taken INTEGER;
BEGIN
  SELECT * INTO q FROM message_quota WHERE user_id = p_user;
  IF FOUND AND q.daily_limit IS NULL AND q.limit_until > now() THEN
    RETURN p_n;
  END IF;
  IF NOT FOUND THEN
    INSERT INTO message_quota (user_id, day, used) VALUES (p_user, today, 0) ON CONFLICT DO NOTHING;
  END IF;
  SELECT * INTO q FROM message_quota WHERE user_id = p_user FOR UPDATE;
  IF q.limit_until IS NULL OR q.limit_until <= now() OR q.day <> today THEN
    SELECT l.lim, l.until INTO q.daily_limit, q.limit_until FROM quota_limit_of(p_user) l;
    q.day := today;
    q.used := 0; -- unlimited users' usage is not tracked here (it is counted from messages when asked)
    IF q.daily_limit IS NOT NULL THEN
      SELECT count(*) INTO q.used FROM messages
        WHERE author_id = p_user AND created_at >= today::timestamp AT TIME ZONE 'UTC';
    END IF;
  END IF;
  IF q.daily_limit IS NULL THEN
    taken := p_n;
  ELSE
    taken := greatest(0, least(p_n, q.daily_limit - q.used));
  END IF;
  UPDATE message_quota SET day = q.day, used = q.used + taken, daily_limit = q.daily_limit,
    limit_until = q.limit_until WHERE user_id = p_user;
  RETURN taken;
END $$;

-- Any change of a user's subscriptions clears their cached limit; a plan change clears all.
CREATE FUNCTION quota_forget_subscription() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE message_quota SET limit_until = NULL WHERE user_id = OLD.user_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE message_quota SET limit_until = NULL WHERE user_id = NEW.user_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER subscriptions_quota AFTER INSERT OR UPDATE OR DELETE ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION quota_forget_subscription();

CREATE FUNCTION quota_forget_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE message_quota SET limit_until = NULL WHERE limit_until IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER plans_quota AFTER UPDATE OR DELETE ON plans
  FOR EACH STATEMENT EXECUTE FUNCTION quota_forget_plans();
