package io.parley.gateway;

/**
 * Admits WebSocket upgrades on one node at a bounded rate: a token bucket of {@code burst}
 * tokens refilled at {@code ratePerS} per second, shared by the node's event loops. An upgrade
 * that finds no token is refused before any work is done for it (no token check, no handshake,
 * no presence or session bookkeeping) with HTTP 503 {@code OVERLOADED} and a retry delay, so a
 * reconnect storm (a node restarted, a load balancer failing over) is taken in at a pace the
 * node can serve while the sockets already open keep being served.
 *
 * <p>The retry delays spread the refused clients out: each refusal is promised the next free
 * slot after those already promised (one slot per {@code 1 / ratePerS} s, as in GCRA's virtual
 * scheduling), so 10,000 clients refused at once are told to come back over 10,000 / rate
 * seconds, each about once, instead of all retrying together and being refused again.
 *
 * <p>Tokens are kept as a fixed-point count (1/1000 of a token) with the time of the last
 * refill; one lock, held for a few arithmetic operations per upgrade.
 */
final class UpgradeAdmission {
  /** Longest retry delay given, ms: beyond it a client is told to come back then and try again. */
  static final long MAX_RETRY_MS = 60_000;

  private final long ratePerS;
  private final long burstMilli;
  private final long slotNs;
  private long tokensMilli;
  private long refilledAt;
  /** The end of the last slot promised to a refused upgrade (System.nanoTime). */
  private long promisedUntil;

  /**
   * @param ratePerS upgrades admitted per second on average (at least 1)
   * @param burst upgrades admitted at once after a quiet period (at least 1)
   */
  UpgradeAdmission(long ratePerS, long burst) {
    this.ratePerS = Math.max(1, ratePerS);
    this.burstMilli = Math.max(1, burst) * 1000;
    this.slotNs = 1_000_000_000L / this.ratePerS;
    this.tokensMilli = burstMilli;
    this.refilledAt = System.nanoTime();
    this.promisedUntil = refilledAt;
  }

  /** The default rate: 1,000 upgrades per second per CPU the JVM may use (one core took in about 1,300 a second at full load, with PostgreSQL and Redis beside it). */
  static long defaultRate() {
    return 1000L * Runtime.getRuntime().availableProcessors();
  }

  /**
   * Takes a token: 0 when the upgrade is admitted, otherwise the milliseconds after which to try
   * again (at least 1, at most {@link #MAX_RETRY_MS}).
   */
  synchronized long admit() {
    long now = System.nanoTime();
    long elapsedNs = now - refilledAt;
    if (elapsedNs > 0) {
      tokensMilli = Math.min(burstMilli, tokensMilli + elapsedNs * ratePerS / 1_000_000);
      refilledAt = now;
    }
    if (tokensMilli >= 1000) {
      tokensMilli -= 1000;
      return 0;
    }
    long firstToken = now + (1000 - tokensMilli) * 1_000_000 / ratePerS; // milli-tokens missing → ns
    promisedUntil = Math.min(Math.max(promisedUntil + slotNs, firstToken), now + MAX_RETRY_MS * 1_000_000);
    return Math.max(1, (promisedUntil - now) / 1_000_000);
  }
}
