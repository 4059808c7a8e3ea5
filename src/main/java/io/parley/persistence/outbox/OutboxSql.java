package io.parley.persistence.outbox;

/** SQL of the mail outbox ({@code mail_outbox}). Parameters are positional ($n). */
final class OutboxSql {
  private OutboxSql() {}

  static final String OUTBOX_INSERT = "INSERT INTO mail_outbox (template, to_address, params) VALUES ($1, $2, $3)";

  /**
   * Claims up to $1 due mails for $2 seconds: pending ones whose time has come, and 'sending'
   * ones whose lease ran out (their sender died). SKIP LOCKED lets several mail verticles share.
   */
  static final String OUTBOX_CLAIM =
      "UPDATE mail_outbox SET status = 'sending', locked_until = now() + make_interval(secs => $2), attempts = attempts + 1 "
          + "WHERE id IN (SELECT id FROM mail_outbox WHERE "
          + "(status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND locked_until < now()) "
          + "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) "
          + "RETURNING id, template, to_address, params, attempts";

  /** $1 id, $2 the attempt that sent it: a sender whose lease ran out cannot overwrite a later claim. */
  static final String OUTBOX_SENT =
      "UPDATE mail_outbox SET status = 'sent', sent_at = now(), params = NULL, locked_until = NULL, last_error = NULL "
          + "WHERE id = $1 AND status = 'sending' AND attempts = $2";

  /** $1 id, $2 error, $3 retry in seconds (null: give up), $4 the failed attempt (as for {@link #OUTBOX_SENT}). */
  static final String OUTBOX_FAILED =
      "UPDATE mail_outbox SET status = CASE WHEN $3::float8 IS NULL THEN 'failed' ELSE 'pending' END, "
          + "params = CASE WHEN $3::float8 IS NULL THEN NULL ELSE params END, "
          + "next_attempt_at = now() + make_interval(secs => COALESCE($3::float8, 0)), locked_until = NULL, last_error = $2 "
          + "WHERE id = $1 AND status = 'sending' AND attempts = $4";

  /**
   * Mail not sent yet and mail given up on, counted over the partial indexes
   * {@code mail_outbox_due} and {@code mail_outbox_failed} (never the whole table).
   */
  static final String OUTBOX_STATS =
      "SELECT (SELECT count(*) FROM mail_outbox WHERE status IN ('pending', 'sending')) AS pending, "
          + "(SELECT count(*) FROM mail_outbox WHERE status = 'failed') AS failed";
}
