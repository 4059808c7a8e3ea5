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
  static final String USERS_PAGE =
      "SELECT u.id, u.email, u.username, u.first_name, u.last_name, u.created_at, u.email_verified_at, u.status, "
          + "u.avatar_attachment_id, u.is_bot, u.role, COALESCE((SELECT p.code FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
          + "WHERE s.user_id = u.id AND s.status IN ('active', 'trialing', 'past_due', 'canceled') AND s.current_period_end > now() "
          + "ORDER BY p.daily_message_limit DESC NULLS FIRST LIMIT 1), 'free') AS plan_code "
          + "FROM users u WHERE NOT u.is_bot AND u.id > $1 "
          + "AND ($3::text IS NULL OR lower(u.username) LIKE $3 OR lower(u.email) LIKE $3 "
          + "OR lower(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) LIKE $3) "
          + "AND ($4::text IS NULL OR u.status = $4) AND ($5::text IS NULL OR u.role = $5) ORDER BY u.id LIMIT $2";

  /** $1 user, locked: the state an update starts from. */
  static final String USER_FOR_UPDATE = "SELECT id, status, role FROM users WHERE id = $1 AND NOT is_bot FOR UPDATE";

  /** $1 user, $2 status, $3 role (each unchanged when null). */
  static final String USER_UPDATE =
      "UPDATE users SET status = COALESCE($2, status), role = COALESCE($3, role) WHERE id = $1 RETURNING status, role";

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
