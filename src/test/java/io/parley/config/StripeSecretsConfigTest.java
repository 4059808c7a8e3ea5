package io.parley.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Stripe's secrets come from the environment only")
class StripeSecretsConfigTest {
  @Test
  @DisplayName("a YAML file cannot set them; PARLEY_STRIPE_SECRET_KEY and PARLEY_STRIPE_WEBHOOK_SECRET do")
  void fromEnvironmentOnly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("parley.yaml");
    Files.writeString(file, "billing:\n  stripe_secret_key: sk_from_file\n  stripe_webhook_secret: whsec_from_file\n"
        + "  stripe_api_base: http://127.0.0.1:1\n");
    ParleyConfig fromFile = ParleyConfig.load(Map.of("PARLEY_CONFIG", file.toString()));
    assertEquals("", fromFile.section("billing").getString(ParleyConfig.STRIPE_SECRET_KEY));
    assertEquals("", fromFile.section("billing").getString(ParleyConfig.STRIPE_WEBHOOK_SECRET));
    assertEquals("http://127.0.0.1:1", fromFile.section("billing").getString("stripe_api_base"));

    ParleyConfig fromEnv = ParleyConfig.load(Map.of(ParleyConfig.ENV_STRIPE_SECRET_KEY, "sk_test_1",
        ParleyConfig.ENV_STRIPE_WEBHOOK_SECRET, "whsec_1", "PARLEY_BILLING_WEBHOOK_TOLERANCE_S", "60"));
    assertEquals("sk_test_1", fromEnv.section("billing").getString(ParleyConfig.STRIPE_SECRET_KEY));
    assertEquals("whsec_1", fromEnv.section("billing").getString(ParleyConfig.STRIPE_WEBHOOK_SECRET));
    assertEquals(60, fromEnv.section("billing").getInteger("webhook_tolerance_s"));
  }
}
