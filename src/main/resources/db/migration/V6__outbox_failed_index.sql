-- Metrics count the mail given up on (parley_mail_outbox_failed) every half minute: a partial
-- index keeps that count off the whole table, as mail_outbox_due does for the pending count.
CREATE INDEX mail_outbox_failed ON mail_outbox (id) WHERE status = 'failed';
