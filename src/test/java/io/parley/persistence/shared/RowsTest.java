package io.parley.persistence.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Timestamps in API shapes")
class RowsTest {

  @Test
  @DisplayName("written digit by digit exactly as the RFC 3339 formatter writes them, in UTC, for any offset")
  void timestampsMatchTheFormatter() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 20_000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_000_000_000L), random.nextInt(1_000_000) * 1000L);
      OffsetDateTime t = instant.atOffset(ZoneOffset.ofTotalSeconds(random.nextInt(-18 * 3600, 18 * 3600 + 1)));
      assertEquals(Rows.TS.format(t), Rows.ts(t), t.toString());
    }
    assertEquals("2026-11-21T20:17:22.000050Z", Rows.ts(OffsetDateTime.parse("2026-11-21T21:17:22.00005+01:00")));
    assertEquals("0001-01-01T00:00:00.000000Z", Rows.ts(OffsetDateTime.parse("0001-01-01T00:00:00Z")));
    assertNull(Rows.ts((OffsetDateTime) null));
  }
}
