package io.parley.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CIDR lists (metrics.allow)")
class CidrListTest {
  @Test
  @DisplayName("IPv4 and IPv6 ranges match their addresses only; an empty list permits all")
  void matching() {
    CidrList list = CidrList.parse(List.of("10.0.0.0/8", "192.168.1.7", "172.16.0.0/12", "fd00::/8", "::1"));
    assertTrue(list.permits("10.1.2.3"));
    assertTrue(list.permits("192.168.1.7"));
    assertFalse(list.permits("192.168.1.8"));
    assertTrue(list.permits("172.31.255.255"));
    assertFalse(list.permits("172.32.0.1"));
    assertTrue(list.permits("fd12:3456::1"));
    assertTrue(list.permits("0:0:0:0:0:0:0:1"));
    assertTrue(list.permits("::ffff:10.9.8.7"), "an IPv4-mapped address matches its IPv4 range");
    assertFalse(list.permits("127.0.0.1"));
    assertFalse(list.permits("example.com"));
    assertFalse(list.permits(null));
    assertTrue(CidrList.parse(List.of()).permits("203.0.113.9"));
    assertTrue(CidrList.parse(List.of("0.0.0.0/0")).permits("203.0.113.9"));
  }

  @Test
  @DisplayName("names, bad prefixes and bad addresses are refused when parsed, never resolved")
  void refusesGarbage() {
    for (String bad : List.of("localhost", "10.0.0.0/33", "10.0.0.0/x", "999.1.1.1", "::1/129", "ab.cd.ef.01")) {
      assertThrows(IllegalArgumentException.class, () -> CidrList.parse(List.of(bad)), bad);
    }
  }
}
