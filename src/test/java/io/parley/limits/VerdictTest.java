package io.parley.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Rate-limit verdicts as header fields")
class VerdictTest {
  @Test
  @DisplayName("policies and service limits as Structured Fields lists (draft-ietf-httpapi-ratelimit-headers-11)")
  void headerFields() {
    Policy user = Policy.of("user", 1000, 3600);
    Policy send = new Policy("send", 60, 60, 20);
    Verdict v = new Verdict(false, 1500, List.of(new Verdict.State(user, 998, 3600), new Verdict.State(send, 0, 1500)));
    assertEquals("\"user\";q=1000;w=3600, \"send\";q=60;w=60;parley-burst=20", v.policyField());
    assertEquals("\"user\";r=998;t=4, \"send\";r=0;t=2", v.limitField());
    assertEquals(2, v.retryAfterS(), "whole seconds, rounded up");
    assertEquals(3600, user.emissionMs());
    assertNull(Policy.of("anon", 0, 3600), "0 turns a limit off");
    assertNull(Verdict.UNCHECKED.policyField());
  }
}
