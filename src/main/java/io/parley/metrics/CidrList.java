package io.parley.metrics;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A list of address ranges in CIDR notation ({@code 10.0.0.0/8}, {@code 127.0.0.1},
 * {@code ::1/128}); an empty list permits every address. Only IP literals are accepted (no name is
 * ever resolved); an IPv4-mapped IPv6 address matches its IPv4 ranges.
 */
public final class CidrList {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f.:]*:[0-9A-Fa-f.:]*");

  private record Range(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Range> ranges;

  private CidrList(List<Range> ranges) {
    this.ranges = ranges;
  }

  /**
   * Parses {@code entries} (each {@code address} or {@code address/prefix}).
   *
   * @throws IllegalArgumentException for an entry that is not an IP literal with a valid prefix
   */
  public static CidrList parse(Iterable<?> entries) {
    List<Range> ranges = new ArrayList<>();
    for (Object o : entries) {
      String entry = String.valueOf(o).trim();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      String host = slash < 0 ? entry : entry.substring(0, slash);
      byte[] network = literal(host);
      if (network == null) {
        throw new IllegalArgumentException("not an IP address range: '" + entry + "'");
      }
      int prefix = network.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > network.length * 8) {
          throw new IllegalArgumentException("bad prefix length in '" + entry + "'");
        }
      }
      ranges.add(new Range(network, prefix));
    }
    return new CidrList(List.copyOf(ranges));
  }

  /** Whether the list has no range (then it permits every address). */
  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** Whether {@code address} (an IP literal) lies in a range; every address when the list is empty. */
  public boolean permits(String address) {
    if (ranges.isEmpty()) {
      return true;
    }
    byte[] bytes = address == null ? null : literal(address);
    if (bytes == null) {
      return false;
    }
    for (Range r : ranges) {
      if (r.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** The address's bytes (4 for IPv4 and IPv4-mapped IPv6, else 16); null when it is not an IP literal. */
  private static byte[] literal(String text) {
    String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    int zone = host.indexOf('%');
    if (zone >= 0) {
      host = host.substring(0, zone);
    }
    if (IPV4.matcher(host).matches()) {
      String[] parts = host.split("\\.");
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(parts[i]);
        if (octet > 255) {
          return null;
        }
        bytes[i] = (byte) octet;
      }
      return bytes;
    }
    if (!IPV6.matcher(host).matches()) {
      return null; // never hand a name to the resolver
    }
    try {
      return InetAddress.getByName(host).getAddress(); // a literal with ':' is parsed, never resolved
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
