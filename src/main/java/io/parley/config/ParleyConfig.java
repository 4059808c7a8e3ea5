package io.parley.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * Parley's configuration, read once in {@code main} and handed down to each verticle as its
 * section ({@link #section(String)}).
 *
 * <p>Layers, the last one wins: the defaults in {@code conf/parley.yaml} (on the classpath), an
 * optional YAML file named by {@code PARLEY_CONFIG}, then environment variables named
 * {@code PARLEY_<SECTION>_<KEY>} (upper case) for every key that exists in the defaults. Values
 * from the environment take the type of the default: numbers, booleans, comma-separated lists.
 * Secrets ({@code PARLEY_JWT_SECRET}, {@code PARLEY_STRIPE_SECRET_KEY}, {@code PARLEY_STRIPE_WEBHOOK_SECRET},
 * {@code PARLEY_ASSISTANT_API_KEY}) are read from the environment only and never logged.
 */
public final class ParleyConfig {
  /** Environment variable with the HMAC secret for access tokens (HS256). */
  public static final String ENV_JWT_SECRET = "PARLEY_JWT_SECRET";
  /** Environment variable with the SMTP password (when the server requires a login). */
  public static final String ENV_SMTP_PASSWORD = "PARLEY_MAIL_SMTP_PASSWORD";
  /** Environment variable with Stripe's secret API key; unset: the in-process Stripe simulator. */
  public static final String ENV_STRIPE_SECRET_KEY = "PARLEY_STRIPE_SECRET_KEY";
  /** Environment variable with the signing secret of Stripe's webhook endpoint ({@code whsec_…}). */
  public static final String ENV_STRIPE_WEBHOOK_SECRET = "PARLEY_STRIPE_WEBHOOK_SECRET";
  /** Environment variable with the assistant's model API key (unset: no Authorization header). */
  public static final String ENV_ASSISTANT_API_KEY = "PARLEY_ASSISTANT_API_KEY";
  /** Keys of the {@code billing} section that only {@link #load} fills, from the environment (never from a file). */
  public static final String STRIPE_SECRET_KEY = "stripe_secret_key";
  public static final String STRIPE_WEBHOOK_SECRET = "stripe_webhook_secret";

  private final JsonObject root;

  private ParleyConfig(JsonObject root) {
    this.root = root;
    derivePublicUrls(root);
  }

  /**
   * Fills the site addresses left empty: {@code mail.public_url} becomes
   * {@code http://localhost:<api.port>} (so links follow {@code PARLEY_API_PORT}), and
   * {@code billing.public_url} becomes {@code mail.public_url}. Behind a proxy, set
   * {@code mail.public_url} to the address users reach.
   */
  private static void derivePublicUrls(JsonObject root) {
    JsonObject api = root.getJsonObject("api", new JsonObject());
    JsonObject mail = root.getJsonObject("mail");
    if (mail == null) {
      mail = new JsonObject();
      root.put("mail", mail);
    }
    if (mail.getString("public_url", "").isBlank()) {
      mail.put("public_url", "http://localhost:" + api.getInteger("port", 8080));
    }
    JsonObject billing = root.getJsonObject("billing");
    if (billing != null && billing.getString("public_url", "").isBlank()) {
      billing.put("public_url", mail.getString("public_url"));
    }
  }

  /** Loads defaults, {@code PARLEY_CONFIG} and the process environment. Blocking (file I/O). */
  public static ParleyConfig load() {
    return load(System.getenv());
  }

  /** Loads defaults, the file named by {@code env.PARLEY_CONFIG} and {@code env} overrides. */
  public static ParleyConfig load(Map<String, String> env) {
    JsonObject root = defaults();
    String file = env.get("PARLEY_CONFIG");
    if (file != null && !file.isBlank()) {
      try (InputStream in = Files.newInputStream(Path.of(file))) {
        merge(root, yaml(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read PARLEY_CONFIG=" + file, e);
      }
    }
    applyEnv(root, env);
    secretsFromEnv(root, env);
    return new ParleyConfig(root);
  }

  /**
   * Stripe's secrets: from the environment only, whatever a YAML file says (tests and embedders
   * that build the tree with {@link #of} may put them into the {@code billing} section).
   */
  private static void secretsFromEnv(JsonObject root, Map<String, String> env) {
    JsonObject billing = root.getJsonObject("billing");
    if (billing == null) {
      billing = new JsonObject();
      root.put("billing", billing);
    }
    billing.put(STRIPE_SECRET_KEY, env.getOrDefault(ENV_STRIPE_SECRET_KEY, ""))
        .put(STRIPE_WEBHOOK_SECRET, env.getOrDefault(ENV_STRIPE_WEBHOOK_SECRET, ""));
    JsonObject assistant = root.getJsonObject("assistant");
    if (assistant != null) {
      assistant.put("api_key", env.get(ENV_ASSISTANT_API_KEY));
    }
  }

  /** The classpath defaults alone (no environment), e.g. as a base for tests. */
  public static JsonObject defaults() {
    try (InputStream in = ParleyConfig.class.getClassLoader().getResourceAsStream("conf/parley.yaml")) {
      if (in == null) {
        throw new IllegalStateException("conf/parley.yaml is missing from the classpath");
      }
      return yaml(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Wraps an already assembled configuration tree (tests). */
  public static ParleyConfig of(JsonObject root) {
    return new ParleyConfig(root.copy());
  }

  /** One top-level section, e.g. {@code api}; an empty object when absent. */
  public JsonObject section(String name) {
    JsonObject s = root.getJsonObject(name);
    return s == null ? new JsonObject() : s.copy();
  }

  /** The whole tree (a copy). */
  public JsonObject toJson() {
    return root.copy();
  }

  /** The roles this node runs, lower case. */
  public List<String> roles() {
    return section("node").getJsonArray("roles", new JsonArray()).stream()
        .map(o -> o.toString().trim().toLowerCase(Locale.ROOT)).toList();
  }

  private static JsonObject yaml(InputStream in) {
    Object loaded = new Yaml().load(in);
    if (loaded == null) {
      return new JsonObject();
    }
    if (!(loaded instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("configuration must be a YAML mapping");
    }
    @SuppressWarnings("unchecked")
    JsonObject json = new JsonObject((Map<String, Object>) map);
    return new JsonObject(json.encode()); // normalise nested maps and lists
  }

  private static void merge(JsonObject into, JsonObject from) {
    for (String key : from.fieldNames()) {
      Object v = from.getValue(key);
      if (v instanceof JsonObject o && into.getValue(key) instanceof JsonObject target) {
        merge(target, o);
      } else {
        into.put(key, v);
      }
    }
  }

  private static void applyEnv(JsonObject root, Map<String, String> env) {
    for (String section : root.fieldNames()) {
      if (!(root.getValue(section) instanceof JsonObject s)) {
        continue;
      }
      for (String key : s.fieldNames()) {
        String name = envName(section, key);
        String raw = env.get(name);
        if (raw != null) {
          s.put(key, coerce(name, s.getValue(key), raw));
        }
      }
    }
  }

  /** The environment variable that overrides {@code section.key}. */
  public static String envName(String section, String key) {
    return ("PARLEY_" + section + "_" + key).toUpperCase(Locale.ROOT);
  }

  private static Object coerce(String name, Object template, String raw) {
    try {
      if (template instanceof Integer) {
        return Integer.parseInt(raw.trim());
      }
      if (template instanceof Long) {
        return Long.parseLong(raw.trim());
      }
      if (template instanceof Boolean) {
        return Boolean.parseBoolean(raw.trim());
      }
      if (template instanceof JsonArray) {
        JsonArray arr = new JsonArray();
        Arrays.stream(raw.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(arr::add);
        return arr;
      }
      return raw;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got '" + raw + "'");
    }
  }
}
