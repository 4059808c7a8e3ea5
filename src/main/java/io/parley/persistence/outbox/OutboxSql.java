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

  /**
   * Marks a batch sent: $1 ids, $2 the attempt that sent each (a sender whose lease ran out cannot
   * overwrite a later claim); the link token in params is dropped.
   */
  static final String OUTBOX_SENT =
      "UPDATE mail_outbox m SET status = 'sent', sent_at = now(), params = NULL, locked_until = NULL, last_error = NULL "
          + "FROM unnest($1::bigint[], $2::int[]) AS s(id, attempts) "
          + "WHERE m.id = s.id AND m.status = 'sending' AND m.attempts = s.attempts";

  /**
   * Settles a batch of failures: $1 ids, $2 the failed attempts (as for {@link #OUTBOX_SENT}),
   * $3 errors, $4 retry in seconds (null: give up, and drop params).
   */
  static final String OUTBOX_FAILED =
      "UPDATE mail_outbox m SET status = CASE WHEN f.retry_in_s IS NULL THEN 'failed' ELSE 'pending' END, "
          + "params = CASE WHEN f.retry_in_s IS NULL THEN NULL ELSE m.params END, "
          + "next_attempt_at = now() + make_interval(secs => COALESCE(f.retry_in_s, 0)), locked_until = NULL, "
          + "last_error = f.error "
          + "FROM unnest($1::bigint[], $2::int[], $3::text[], $4::float8[]) AS f(id, attempts, error, retry_in_s) "
          + "WHERE m.id = f.id AND m.status = 'sending' AND m.attempts = f.attempts";

  /**
   * Mail not sent yet and mail given up on, counted over the partial indexes
   * {@code mail_outbox_due} and {@code mail_outbox_failed} (never the whole table).
   */
  static final String OUTBOX_STATS =
      "SELECT (SELECT count(*) FROM mail_outbox WHERE status IN ('pending', 'sending')) AS pending, "
          + "(SELECT count(*) FROM mail_outbox WHERE status = 'failed') AS failed";
}
