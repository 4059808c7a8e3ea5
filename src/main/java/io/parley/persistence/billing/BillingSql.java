package io.parley.persistence.billing;

/**
 * SQL of plans, Stripe customers, checkout sessions, subscriptions, payments and processed
 * webhook events (tables of migration V4). Parameters are positional ($n). The day is the UTC day.
 */
final class BillingSql {
  private BillingSql() {}

  private static final String PLAN_COLUMNS =
      "p.id, p.code, p.name, p.price_cents, p.currency, p.interval_days, p.daily_message_limit, p.daily_assistant_limit, p.stripe_price_id";

  /** Statuses under which a subscription grants its plan until {@code current_period_end}. */
  static final String GRANTING = "('active', 'trialing', 'past_due', 'canceled')";

  static final String PLANS_ACTIVE = "SELECT " + PLAN_COLUMNS + " FROM plans p WHERE p.active ORDER BY p.price_cents, p.id";

  /** $1 code: an active plan. */
  static final String PLAN_BY_CODE = "SELECT " + PLAN_COLUMNS + " FROM plans p WHERE p.code = $1 AND p.active";

  /** $1 Stripe price id, $2 plan code (either may be null): the plan they name, the price first. */
  static final String PLAN_FOR_PRICE = "SELECT " + PLAN_COLUMNS + ", p.daily_message_limit AS lim FROM plans p "
      + "WHERE p.stripe_price_id = $1::text OR p.code = $2::text ORDER BY (p.stripe_price_id = $1::text) DESC NULLS LAST LIMIT 1";

  /** $1 user: the granting subscription with the largest limit (NULL = unlimited first). */
  static final String SUBSCRIPTION_IN_FORCE = "SELECT " + PLAN_COLUMNS
      + ", s.status, s.current_period_end, s.cancel_at_period_end FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
      + "WHERE s.user_id = $1 AND s.status IN " + GRANTING + " AND s.current_period_end > now() "
      + "ORDER BY p.daily_message_limit DESC NULLS FIRST, s.current_period_end DESC LIMIT 1";

  static final String FREE_PLAN = "SELECT " + PLAN_COLUMNS + " FROM plans p WHERE p.code = 'free'";

  /** $1 user: today's (UTC) sent messages, the limit in force, the day and the next UTC midnight. */
  static final String USAGE = "SELECT (SELECT count(*) FROM messages m WHERE m.author_id = $1 "
      + "AND m.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS sent, "
      + "l.lim, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, "
      + "(date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC' AS resets_at "
      + "FROM quota_limit_of($1) l";

  /** $1 user: the user's e-mail and Stripe customer (NULL when none yet). */
  static final String CUSTOMER_OF = "SELECT u.email, c.customer_id FROM users u "
      + "LEFT JOIN stripe_customers c ON c.user_id = u.id WHERE u.id = $1";

  /** $1 user, $2 customer: stored once per user; the first one stays. */
  static final String CUSTOMER_SAVE = "INSERT INTO stripe_customers (user_id, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";

  static final String CUSTOMER_STORED = "SELECT customer_id FROM stripe_customers WHERE user_id = $1";

  /** $1 session, $2 user, $3 plan code. */
  static final String CHECKOUT_SAVE = "INSERT INTO checkout_sessions (session_id, user_id, plan_id) "
      + "SELECT $1, $2, p.id FROM plans p WHERE p.code = $3 ON CONFLICT (session_id) DO NOTHING";

  /** $1 session: the session with its plan. */
  static final String CHECKOUT_GET = "SELECT c.session_id, c.user_id, c.status, " + PLAN_COLUMNS
      + " FROM checkout_sessions c JOIN plans p ON p.id = c.plan_id WHERE c.session_id = $1";

  /** $1 session, $2 new status (complete or expired): an open session only moves once. */
  static final String CHECKOUT_STATUS = "UPDATE checkout_sessions SET status = $2, "
      + "completed_at = CASE WHEN $2::text = 'complete' THEN now() END WHERE session_id = $1 AND status = 'open' RETURNING user_id";

  static final String CHECKOUT_USER = "SELECT user_id FROM checkout_sessions WHERE session_id = $1";

  /** $1 event id, $2 type: empty when the event was processed before. */
  static final String EVENT_RECORD = "INSERT INTO stripe_events (event_id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id";

  static final String USER_OF_CUSTOMER = "SELECT user_id FROM stripe_customers WHERE customer_id = $1";

  static final String USER_EXISTS = "SELECT id AS user_id FROM users WHERE id = $1";

  /** $1 Stripe subscription id: the row, locked, with its plan's limit. */
  static final String SUBSCRIPTION_LOCK = "SELECT s.id, s.plan_id, s.status, s.current_period_end, s.event_created, "
      + "p.daily_message_limit AS lim FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
      + "WHERE s.stripe_subscription_id = $1 FOR UPDATE OF s";

  /**
   * $1 Stripe id, $2 user, $3 plan, $4 status, $5 period start, $6 period end (timestamptz),
   * $7 cancel_at_period_end, $8 event created (unix s).
   */
  static final String SUBSCRIPTION_INSERT = "INSERT INTO subscriptions (stripe_subscription_id, user_id, plan_id, status, "
      + "current_period_start, current_period_end, cancel_at_period_end, event_created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      + "ON CONFLICT (stripe_subscription_id) DO NOTHING RETURNING id";

  /**
   * $1 row id, $2 plan, $3 scheduled plan, $4 status, $5 period start, $6 period end,
   * $7 cancel_at_period_end, $8 event created.
   */
  static final String SUBSCRIPTION_UPDATE = "UPDATE subscriptions SET plan_id = $2, scheduled_plan_id = $3, status = $4, "
      + "current_period_start = COALESCE($5, current_period_start), current_period_end = $6, cancel_at_period_end = $7, "
      + "event_created = $8, updated_at = now() WHERE id = $1";

  /**
   * $1 user, $2 amount (cents), $3 currency, $4 invoice id, $5 status (paid or failed): one row
   * per invoice; a paid invoice stays paid.
   */
  static final String PAYMENT_INVOICE = "INSERT INTO payments (user_id, amount_cents, currency, stripe_invoice_id, status) "
      + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stripe_invoice_id) DO UPDATE SET status = EXCLUDED.status, "
      + "amount_cents = EXCLUDED.amount_cents WHERE payments.status <> 'paid'";

  /** $1 user, $2 amount (cents), $3 currency, $4 session id: a session paid without an invoice. */
  static final String PAYMENT_SESSION = "INSERT INTO payments (user_id, amount_cents, currency, stripe_session_id, status) "
      + "VALUES ($1, $2, $3, $4, 'paid') ON CONFLICT (stripe_session_id) DO NOTHING";
}
