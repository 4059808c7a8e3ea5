package io.parley.config;

import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The browser origins allowed besides a page's own ({@code api.cors_origins}): the API answers
 * them with CORS headers, and the WebSocket gateway accepts their upgrades.
 *
 * <p>Origins compare exactly after normalisation ({@code scheme://host[:port]}, lower case, the
 * scheme's default port left out), as browsers send them: {@code https://app.example.com} does
 * not allow {@code https://app.example.com:8443} or {@code http://app.example.com}.
 */
public final class Origins {
  private final Set<String> allowed;

  private Origins(Set<String> allowed) {
    this.allowed = allowed;
  }

  /**
   * The configured list; every entry must be an {@code http} or {@code https} origin without a path.
   *
   * @throws IllegalArgumentException naming the first malformed entry
   */
  public static Origins of(JsonArray list) {
    Set<String> allowed = new LinkedHashSet<>();
    for (Object o : list == null ? new JsonArray() : list) {
      String n = normalise(String.valueOf(o));
      if (n == null) {
        throw new IllegalArgumentException("api.cors_origins: '" + o + "' is not an origin like https://app.example.com");
      }
      allowed.add(n);
    }
    return new Origins(allowed);
  }

  /** Whether no origin is listed. */
  public boolean isEmpty() {
    return allowed.isEmpty();
  }

  /** The listed origins, normalised. */
  public List<String> list() {
    return new ArrayList<>(allowed);
  }

  /** Whether {@code origin} (an {@code Origin} header) is one of the listed origins. */
  public boolean listed(String origin) {
    String n = origin == null ? null : normalise(origin);
    return n != null && allowed.contains(n);
  }

  /**
   * Whether a WebSocket upgrade with this {@code Origin} and {@code Host} header may proceed: no
   * {@code Origin} (not a browser), a listed origin, or a page on the same host as the one the
   * upgrade was sent to, whatever its port and scheme (the web client is served by the API port
   * and connects to the gateway port of the same host, or through one proxy host).
   */
  public boolean allowsSocket(String origin, String host) {
    if (origin == null) {
      return true;
    }
    if (listed(origin)) {
      return true;
    }
    String n = normalise(origin);
    String pageHost = n == null ? null : URI.create(n).getHost();
    String target = hostOf(host);
    return pageHost != null && target != null && pageHost.equalsIgnoreCase(target);
  }

  /** {@code scheme://host[:port]} in lower case without the scheme's default port, or null when malformed. */
  static String normalise(String origin) {
    try {
      URI u = new URI(origin.trim());
      String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
      boolean noPath = u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/");
      if (!("http".equals(scheme) || "https".equals(scheme)) || u.getHost() == null || !noPath
          || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
        return null;
      }
      int port = u.getPort();
      boolean defaultPort = port == -1 || (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"));
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /** The host name of a {@code Host} header (port and IPv6 brackets kept apart), or null. */
  private static String hostOf(String host) {
    if (host == null || host.isBlank()) {
      return null;
    }
    try {
      return new URI("http://" + host.trim()).getHost();
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
