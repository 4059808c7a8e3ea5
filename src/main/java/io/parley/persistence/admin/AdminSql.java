package io.parley.persistence.admin;

/** SQL of administration: roles, account status, the audit log ({@code users}, {@code audit_log}). Parameters are positional ($n). */
final class AdminSql {
  private AdminSql() {}

  /** $1 user: promotes a verified account to admin; no row when it is one already or not verified. */
  static final String BOOTSTRAP =
      "UPDATE users SET role = 'admin' WHERE id = $1 AND role <> 'admin' AND email_verified_at IS NOT NULL RETURNING id";

  /**
   * People (no bots), by id: $1 after id (exclusive), $2 limit + 1, $3 text (username, names or
   * e-mail containing it, as a LIKE pattern; null: all), $4 status, $5 role (null: any). Each
   * with the code of the plan in force ('free' without a live subscription).
   */
  private static final String PERSON_COLUMNS =
      "SELECT u.id, u.email, u.username, u.first_name, u.last_name, u.created_at, u.email_verified_at, u.status, "
          + "u.avatar_attachment_id, u.is_bot, u.role, COALESCE((SELECT p.code FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
          + "WHERE s.user_id = u.id AND s.status IN ('active', 'trialing', 'past_due', 'canceled') AND s.current_period_end > now() "
          + "ORDER BY p.daily_message_limit DESC NULLS FIRST LIMIT 1), 'free') AS plan_code FROM users u ";

  /** As PERSON_COLUMNS says, and $6 plan code in force, $7 e-mail verified (null: any). */
  static final String USERS_PAGE = "SELECT * FROM (" + PERSON_COLUMNS
      + "WHERE NOT u.is_bot AND u.id > $1 "
      + "AND ($3::text IS NULL OR lower(u.username) LIKE $3 OR lower(u.email) LIKE $3 "
      + "OR lower(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) LIKE $3) "
      + "AND ($4::text IS NULL OR u.status = $4) AND ($5::text IS NULL OR u.role = $5) "
      + "AND ($7::boolean IS NULL OR (u.email_verified_at IS NOT NULL) = $7)) x "
      + "WHERE $6::text IS NULL OR x.plan_code = $6 ORDER BY x.id LIMIT $2";

  /** $1 user: one person as USERS_PAGE shows them, with plan_until, the end of that plan (no row: none, or a bot). */
  static final String USER_ONE = "SELECT x.*, (SELECT max(s.current_period_end) FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
      + "WHERE s.user_id = x.id AND p.code = x.plan_code AND s.status IN ('active', 'trialing', 'past_due', 'canceled') "
      + "AND s.current_period_end > now()) AS plan_until FROM (" + PERSON_COLUMNS + "WHERE NOT u.is_bot AND u.id = $1) x";

  /** $1 user: their rooms with their room role. */
  static final String USER_ROOMS =
      "SELECT r.id, r.kind, r.name, m.role FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = $1 ORDER BY r.id";

  /** $1 user: messages sent and assistant replies today (UTC). */
  static final String USER_TODAY =
      "SELECT (SELECT count(*) FROM messages m WHERE m.author_id = $1 "
          + "AND m.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS messages, "
          + "(SELECT coalesce(sum(used), 0) FROM assistant_usage a WHERE a.user_id = $1 AND a.day = (now() AT TIME ZONE 'UTC')::date) "
          + "AS assistant_replies";

  /** $1 user, locked: the state an update starts from. */
  static final String USER_FOR_UPDATE =
      "SELECT id, status, role, email_verified_at IS NOT NULL AS verified FROM users WHERE id = $1 AND NOT is_bot FOR UPDATE";

  /** $1 user, $2 status, $3 role (each unchanged when null). */
  static final String USER_UPDATE =
      "UPDATE users SET status = COALESCE($2, status), role = COALESCE($3, role) WHERE id = $1 RETURNING status, role";

  static final String PLANS =
      "SELECT id, code, name, price_cents, currency, interval_days, daily_message_limit, daily_assistant_limit, stripe_price_id, "
          + "active FROM plans ORDER BY id";

  static final String PLAN_FOR_UPDATE = "SELECT " + "id, code, name, price_cents, currency, interval_days, daily_message_limit, "
      + "daily_assistant_limit, stripe_price_id, active FROM plans WHERE code = $1 FOR UPDATE";

  /**
   * $1 code, then each field and whether to set it: $2/$3 name, $4/$5 price_cents,
   * $6/$7 daily_message_limit (null: unlimited), $8/$9 daily_assistant_limit, $10/$11 active,
   * $12/$13 stripe_price_id. The plans trigger of V5 tells every persistence node at once.
   */
  static final String PLAN_UPDATE =
      "UPDATE plans SET name = CASE WHEN $3 THEN $2 ELSE name END, price_cents = CASE WHEN $5 THEN $4 ELSE price_cents END, "
          + "daily_message_limit = CASE WHEN $7 THEN $6 ELSE daily_message_limit END, "
          + "daily_assistant_limit = CASE WHEN $9 THEN $8 ELSE daily_assistant_limit END, "
          + "active = CASE WHEN $11 THEN $10 ELSE active END, stripe_price_id = CASE WHEN $13 THEN $12 ELSE stripe_price_id END "
          + "WHERE code = $1 RETURNING id, code, name, price_cents, currency, interval_days, daily_message_limit, "
          + "daily_assistant_limit, stripe_price_id, active";

  /**
   * A new plan: $1 code, $2 name, $3 price_cents, $4 currency, $5 interval_days,
   * $6 daily_message_limit, $7 daily_assistant_limit (null: unlimited), $8 stripe_price_id,
   * $9 active; 23505 when the code or the Stripe price id is taken.
   */
  static final String PLAN_INSERT =
      "INSERT INTO plans (code, name, price_cents, currency, interval_days, daily_message_limit, daily_assistant_limit, "
          + "stripe_price_id, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, code, name, price_cents, "
          + "currency, interval_days, daily_message_limit, daily_assistant_limit, stripe_price_id, active";

  /** Payments newest first: $1 before id, $2 limit + 1, $3 user, $4 status, $5 from, $6 to (each ignored when null). */
  static final String PAYMENTS =
      "SELECT id, user_id, amount_cents, currency, status, stripe_invoice_id, stripe_session_id, created_at FROM payments "
          + "WHERE id < $1 AND ($3::bigint IS NULL OR user_id = $3) AND ($4::text IS NULL OR status = $4) "
          + "AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6) "
          + "ORDER BY id DESC LIMIT $2";

  /** Usage per UTC day over the last $1 days: messages stored and assistant replies. */
  static final String USAGE =
      "SELECT d::date AS day, "
          + "(SELECT count(*) FROM messages m WHERE m.created_at >= d AND m.created_at < d + interval '1 day') AS messages, "
          + "(SELECT coalesce(sum(used), 0) FROM assistant_usage a WHERE a.day = d::date) AS assistant_replies "
          + "FROM generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => $1 - 1), "
          + "date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') d ORDER BY d DESC";

  /** Group rooms by id with member and message counts: $1 after id, $2 limit + 1. */
  static final String ROOMS =
      "SELECT r.id, r.name, r.is_private, r.owner_id, r.created_at, "
          + "(SELECT count(*) FROM room_members m WHERE m.room_id = r.id) AS member_count, "
          + "(SELECT count(*) FROM messages x WHERE x.room_id = r.id AND x.deleted_at IS NULL) AS message_count "
          + "FROM rooms r WHERE r.kind = 'group' AND r.id > $1 ORDER BY r.id LIMIT $2";

  /** $1 user, $2 verified (set now, or cleared). */
  static final String SET_VERIFIED =
      "UPDATE users SET email_verified_at = CASE WHEN $2 THEN COALESCE(email_verified_at, now()) ELSE NULL END WHERE id = $1";

  /**
   * A manual plan grant: $1 user, $2 plan code, $3 until; a subscription of its own
   * ({@code manual-<user>-<epoch ms>}), so quota_limit_of counts it (and its trigger tells the
   * persistence nodes at once) until it ends. No row: no such active plan.
   */
  static final String GRANT_PLAN =
      "INSERT INTO subscriptions (stripe_subscription_id, user_id, plan_id, status, current_period_start, current_period_end) "
          + "SELECT 'manual-' || $1::bigint || '-' || (extract(epoch FROM clock_timestamp()) * 1000)::bigint, $1::bigint, p.id, "
          + "'active', now(), $3 "
          + "FROM plans p WHERE p.code = $2 AND p.active RETURNING id";

  /** $1 actor (null: the system), $2 action, $3 target type, $4 target id, $5 before, $6 after, $7 ip, $8 request id. */
  static final String AUDIT_INSERT =
      "INSERT INTO audit_log (actor_id, action, target_type, target_id, before, after, ip, request_id) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

  /**
   * A page of the audit log, newest first: $1 before id (exclusive; MAX for the first page), $2
   * limit + 1, $3 actor, $4 action, $5 target type, $6 target id (each ignored when null).
   */
  static final String AUDIT_PAGE =
      "SELECT id, at, actor_id, action, target_type, target_id, before, after, ip, request_id FROM audit_log "
          + "WHERE id < $1 AND ($3::bigint IS NULL OR actor_id = $3) AND ($4::text IS NULL OR action = $4) "
          + "AND ($5::text IS NULL OR target_type = $5) AND ($6::bigint IS NULL OR target_id = $6) "
          + "ORDER BY id DESC LIMIT $2";
}
