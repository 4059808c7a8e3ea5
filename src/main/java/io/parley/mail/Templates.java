package io.parley.mail;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mail templates from {@code mail/<name>.txt} (first line {@code Subject: ...}) and
 * {@code mail/<name>.html} on the classpath, with {@code {{placeholders}}}. Values are escaped
 * for HTML in the HTML part. The {@code link} of each template is built here from the site's
 * public URL and the mail's token.
 */
final class Templates {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\w+)}}");
  private final Map<String, String> cache = new ConcurrentHashMap<>();
  private final String publicUrl;

  Templates(String publicUrl) {
    this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
  }

  /** The templates the outbox uses. */
  static final java.util.List<String> NAMES = java.util.List.of("verification", "password_reset", "invitation", "welcome");

  /** Reads every template from the classpath (blocking: call from a worker thread, once). */
  Templates preload() {
    for (String name : NAMES) {
      load(name + ".txt");
      load(name + ".html");
    }
    return this;
  }

  /** A rendered mail. */
  record Mail(String subject, String text, String html) {}

  /** Renders {@code template} with {@code params}; fails for an unknown template. */
  Mail render(String template, JsonObject params) {
    JsonObject values = params.copy().put("link", link(template, params.getString("token")));
    String text = fill(load(template + ".txt"), values, false);
    int newline = text.indexOf('\n');
    String subject = text.substring("Subject: ".length(), newline).trim();
    return new Mail(subject, text.substring(newline + 1), fill(load(template + ".html"), values, true));
  }

  /** Where each mail's button leads: the API's verify link, or the web client's forms. */
  String link(String template, String token) {
    String t = token == null ? "" : URLEncoder.encode(token, StandardCharsets.UTF_8);
    return switch (template) {
      case "verification" -> publicUrl + "/api/v1/auth/verify-email?token=" + t;
      case "password_reset" -> publicUrl + "/#reset?token=" + t;
      case "invitation" -> publicUrl + "/#invite?token=" + t;
      default -> publicUrl + "/";
    };
  }

  private String load(String name) {
    return cache.computeIfAbsent(name, n -> {
      try (InputStream in = Templates.class.getClassLoader().getResourceAsStream("mail/" + n)) {
        if (in == null) {
          throw new IllegalArgumentException("no mail template " + n);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static String fill(String template, JsonObject values, boolean html) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Object v = values.getValue(m.group(1));
      String s = v == null ? "" : v.toString();
      m.appendReplacement(out, Matcher.quoteReplacement(html ? escape(s) : s));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
  }
}
