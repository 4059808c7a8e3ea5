package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The client address behind trusted proxies")
class ClientAddressTest {
  private final ClientAddress rule = ClientAddress.trusting(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8"));

  @Test
  @DisplayName("without trusted proxies the peer is the client, whatever X-Forwarded-For says")
  void direct() {
    assertEquals("10.1.2.3", ClientAddress.DIRECT.of("10.1.2.3", List.of("1.2.3.4")));
    assertEquals("10.1.2.3", ClientAddress.trusting(List.of()).of("10.1.2.3", List.of("1.2.3.4")));
    assertEquals("unknown", ClientAddress.DIRECT.of(null, List.of("1.2.3.4")));
  }

  @Test
  @DisplayName("the header is believed only from a trusted peer, right-most untrusted address first")
  void trusted() {
    assertEquals("203.0.113.9", rule.of("10.0.0.1", List.of("203.0.113.9")));
    assertEquals("203.0.113.9", rule.of("10.0.0.1", List.of("6.6.6.6, 203.0.113.9, 10.9.9.9")), "a spoofed left part is ignored");
    assertEquals("203.0.113.9", rule.of("10.0.0.1", List.of("6.6.6.6", "203.0.113.9, 192.168.1.7")), "several header lines, in order");
    assertEquals("172.16.0.1", rule.of("172.16.0.1", List.of("203.0.113.9")), "an untrusted peer's header is ignored");
    assertEquals("10.0.0.3", rule.of("10.0.0.1", List.of("10.0.0.3, 10.0.0.2")), "all trusted: the left-most");
    assertEquals("10.0.0.1", rule.of("10.0.0.1", List.of()), "no header: the peer");
    assertEquals("10.9.9.9", rule.of("10.0.0.1", List.of("not-an-ip, 10.9.9.9")), "garbage ends the walk at the hop that reported it");
  }

  @Test
  @DisplayName("IPv6 CIDRs, IPv4-mapped peers, ports and brackets; one spelling per address")
  void ipv6() {
    assertEquals("2001:db8::1", rule.of("fd12::1", List.of("[2001:DB8:0::1]:443")));
    assertEquals("203.0.113.9", rule.of("::ffff:10.0.0.1", List.of("203.0.113.9:5555")));
    assertEquals("2001:db8::5", rule.of("2001:db8:0:0:0:0:0:5", List.of("1.2.3.4")), "the peer, normalized");
    assertTrue(rule.isTrusted("fdff:ffff::1"));
    assertFalse(rule.isTrusted("fe00::1"));
    assertFalse(rule.isTrusted("11.0.0.1"));
    assertFalse(rule.isTrusted("example.com"), "names are never resolved");
  }

  @Test
  @DisplayName("a list entry that is no address or CIDR is refused at start")
  void badConfig() {
    assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting(List.of("10.0.0.0/33")));
    assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting(List.of("proxy.local")));
    assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting(List.of("::/x")));
  }
}
