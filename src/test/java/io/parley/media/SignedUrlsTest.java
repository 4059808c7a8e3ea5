package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Signed attachment URLs")
class SignedUrlsTest {
  private static final Pattern URL =
      Pattern.compile("/api/v1/attachments/(\\d+)/(content|thumbnail)\\?exp=(\\d+)&sig=([A-Za-z0-9_-]+)");
  private static final long NOW = 1_760_000_123L;
  private final SignedUrls urls = SignedUrls.derive("a-jwt-secret-of-some-length");

  private Matcher parse(String url) {
    Matcher m = URL.matcher(url);
    assertTrue(m.matches(), url);
    return m;
  }

  @Test
  @DisplayName("a URL verifies, for its id and variant, until its expiry, 1 to 2 hours on")
  void roundTrip() {
    Matcher m = parse(urls.url(42, "content", NOW));
    assertEquals("42", m.group(1));
    long exp = Long.parseLong(m.group(3));
    assertEquals(0, exp % 3600);
    assertTrue(exp - NOW > 3600 && exp - NOW <= 7200);
    assertEquals(43, m.group(4).length()); // 32 bytes, base64url without padding
    assertTrue(urls.verify(42, "content", m.group(3), m.group(4), NOW));
    assertTrue(urls.verify(42, "content", m.group(3), m.group(4), exp - 1));
    assertFalse(urls.verify(42, "content", m.group(3), m.group(4), exp));
    assertFalse(urls.verify(42, "content", m.group(3), m.group(4), exp + 10_000));
  }

  @Test
  @DisplayName("a changed id, variant, expiry or signature, or another key, does not verify")
  void tampered() {
    Matcher m = parse(urls.url(42, "thumbnail", NOW));
    String exp = m.group(3);
    String sig = m.group(4);
    assertTrue(urls.verify(42, "thumbnail", exp, sig, NOW));
    assertFalse(urls.verify(43, "thumbnail", exp, sig, NOW));
    assertFalse(urls.verify(42, "content", exp, sig, NOW));
    assertFalse(urls.verify(42, "thumbnail", String.valueOf(Long.parseLong(exp) + 3600), sig, NOW));
    char last = sig.charAt(sig.length() - 1);
    assertFalse(urls.verify(42, "thumbnail", exp, sig.substring(0, sig.length() - 1) + (last == 'A' ? 'B' : 'A'), NOW));
    assertFalse(SignedUrls.derive("another-secret").verify(42, "thumbnail", exp, sig, NOW));
  }

  @Test
  @DisplayName("malformed input is false, never an exception")
  void malformed() {
    Matcher m = parse(urls.url(1, "content", NOW));
    String exp = m.group(3);
    String sig = m.group(4);
    assertFalse(urls.verify(1, "content", null, sig, NOW));
    assertFalse(urls.verify(1, "content", exp, null, NOW));
    assertFalse(urls.verify(1, null, exp, sig, NOW));
    assertFalse(urls.verify(1, "content", "", sig, NOW));
    assertFalse(urls.verify(1, "content", "12x", sig, NOW));
    assertFalse(urls.verify(1, "content", "-" + exp, sig, NOW));
    assertFalse(urls.verify(1, "content", "99999999999999999999999", sig, NOW));
    assertFalse(urls.verify(1, "content", exp, "", NOW));
    assertFalse(urls.verify(1, "content", exp, "é" + sig, NOW));
    assertFalse(urls.verify(1, "avatar", exp, sig, NOW));
    assertThrows(IllegalArgumentException.class, () -> urls.url(1, "avatar", NOW));
    assertThrows(IllegalArgumentException.class, () -> new SignedUrls(new byte[8]));
  }

  @Test
  @DisplayName("within an hour everyone gets the same URL; the next hour, another")
  void sameWithinTheHour() {
    long hour = NOW / 3600 * 3600;
    assertEquals(urls.url(7, "content", hour), urls.url(7, "content", hour + 3599));
    assertNotEquals(urls.url(7, "content", hour), urls.url(7, "content", hour + 3600));
  }
}
