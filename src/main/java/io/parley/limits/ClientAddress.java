package io.parley.limits;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the client is, by address: the TCP peer, unless the peer is a trusted proxy
 * ({@code api.trusted_proxies}, CIDRs such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare
 * address means just that one), in which case {@code X-Forwarded-For} is believed: read from right
 * to left (the nearest hop first), skipping trusted proxies, the first address that is not one is
 * the client. If every listed address is trusted, the left-most is taken; an entry that is not an
 * IP address ends the walk at the hop that reported it. Without trusted proxies (the default) the
 * header is ignored, so nobody can choose their own address by sending it.
 *
 * <p>Used for the anonymous rate limit, login throttling and request logs, by the API and by the
 * gateway's upgrade request. Addresses are compared as bytes (IPv4, IPv6, IPv4-mapped IPv6 as
 * IPv4); nothing is ever resolved through DNS.
 */
public final class ClientAddress {
  /** No trusted proxy: the peer is always the client. */
  public static final ClientAddress DIRECT = new ClientAddress(List.of());

  private record Cidr(byte[] network, int bits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Cidr> trusted;

  private ClientAddress(List<Cidr> trusted) {
    this.trusted = trusted;
  }

  /**
   * The rule for a list of trusted proxies ({@code api.trusted_proxies}).
   *
   * @throws IllegalArgumentException naming an entry that is no address or CIDR
   */
  public static ClientAddress trusting(Iterable<?> cidrs) {
    return trusting(cidrs, "api.trusted_proxies");
  }

  /**
   * As {@link #trusting(Iterable)} for another list of address ranges, named {@code setting} in
   * errors (e.g. {@code metrics.allow}).
   *
   * @throws IllegalArgumentException naming an entry that is no address or CIDR
   */
  public static ClientAddress trusting(Iterable<?> cidrs, String setting) {
    List<Cidr> list = new ArrayList<>();
    for (Object o : cidrs) {
      String s = String.valueOf(o).trim();
      if (s.isEmpty()) {
        continue;
      }
      int slash = s.indexOf('/');
      byte[] network = bytes(slash < 0 ? s : s.substring(0, slash));
      int max = network == null ? 0 : network.length * 8;
      int bits;
      try {
        bits = slash < 0 ? max : Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (network == null || bits < 0 || bits > max) {
        throw new IllegalArgumentException(setting + ": '" + s + "' is not an IP address or CIDR");
      }
      list.add(new Cidr(network, bits));
    }
    return list.isEmpty() ? DIRECT : new ClientAddress(List.copyOf(list));
  }

  /**
   * The client's address for a request from {@code peer} (the TCP peer's address, may be null)
   * carrying these {@code X-Forwarded-For} header values (all of them, in order; may be empty).
   */
  public String of(String peer, List<String> forwardedFor) {
    String client = peer == null ? "unknown" : normalize(peer);
    if (trusted.isEmpty() || peer == null || !isTrusted(bytes(peer)) || forwardedFor.isEmpty()) {
      return client;
    }
    List<String> hops = new ArrayList<>();
    for (String value : forwardedFor) {
      for (String hop : value.split(",")) {
        hops.add(hop.trim());
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] address = bytes(stripPort(hops.get(i)));
      if (address == null) {
        return client; // not an address: the hop to its right reported it
      }
      client = normalize(stripPort(hops.get(i)));
      if (!isTrusted(address)) {
        return client;
      }
    }
    return client;
  }

  /** Whether no range is listed (no proxy is trusted). */
  public boolean trustsNone() {
    return trusted.isEmpty();
  }

  /** Whether {@code address} (a literal IP address) is a trusted proxy. */
  public boolean isTrusted(String address) {
    return isTrusted(bytes(address));
  }

  private boolean isTrusted(byte[] address) {
    if (address == null) {
      return false;
    }
    for (Cidr c : trusted) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** The address as 4 or 16 bytes (IPv4-mapped IPv6 as 4), or null when it is not a literal IP address. */
  private static byte[] bytes(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    String literal = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    int zone = literal.indexOf('%');
    if (zone >= 0) {
      literal = literal.substring(0, zone);
    }
    byte[] b = NetUtil.createByteArrayFromIpAddressString(literal);
    if (b != null && b.length == 16 && isV4Mapped(b)) {
      return new byte[] {b[12], b[13], b[14], b[15]};
    }
    return b;
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }

  /** {@code 1.2.3.4:80} → {@code 1.2.3.4}; {@code [::1]:80} → {@code ::1}; anything else unchanged. */
  private static String stripPort(String hop) {
    if (hop.startsWith("[")) {
      int end = hop.indexOf(']');
      return end < 0 ? hop : hop.substring(1, end);
    }
    int colon = hop.indexOf(':');
    return colon > 0 && hop.indexOf(':', colon + 1) < 0 ? hop.substring(0, colon) : hop;
  }

  /** One spelling per address (IPv6 compressed as RFC 5952, IPv4-mapped as IPv4), so that one client has one key. */
  private static String normalize(String address) {
    byte[] b = bytes(address);
    return b == null ? address : NetUtil.bytesToIpAddress(b);
  }
}
