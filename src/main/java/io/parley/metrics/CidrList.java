package io.parley.metrics;

import io.parley.limits.ClientAddress;

/**
 * A list of address ranges in CIDR notation ({@code 10.0.0.0/8}, {@code 127.0.0.1},
 * {@code ::1/128}) that permits the addresses in it, or every address when it is empty
 * ({@code metrics.allow}). The ranges are matched by {@link ClientAddress}, the one parser and
 * matcher of address ranges: IP literals only (no name is ever resolved), an IPv4-mapped IPv6
 * address matching its IPv4 ranges.
 */
public final class CidrList {
  private final ClientAddress ranges;

  private CidrList(ClientAddress ranges) {
    this.ranges = ranges;
  }

  /**
   * Parses {@code entries} (each {@code address} or {@code address/prefix}).
   *
   * @throws IllegalArgumentException for an entry that is not an IP literal with a valid prefix
   */
  public static CidrList parse(Iterable<?> entries) {
    return new CidrList(ClientAddress.trusting(entries, "metrics.allow"));
  }

  /** Whether the list has no range (then it permits every address). */
  public boolean isEmpty() {
    return ranges.trustsNone();
  }

  /** Whether {@code address} (an IP literal) lies in a range; every address when the list is empty. */
  public boolean permits(String address) {
    return ranges.trustsNone() || ranges.isTrusted(address);
  }
}
