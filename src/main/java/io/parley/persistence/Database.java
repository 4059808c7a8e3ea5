package io.parley.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the database before the persistence verticle deploys: starts the embedded development
 * PostgreSQL when no URL is configured, and runs the Flyway migrations in
 * {@code db/migration}. Everything here blocks: call it from a worker thread or from main, never
 * from an event loop.
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static EmbeddedPostgres embedded;

  private Database() {}

  /**
   * Returns the URL to use: {@code configured} when set, otherwise the URL of an embedded
   * PostgreSQL started (once per JVM) with its data in {@code dataDir}.
   *
   * @throws IllegalStateException with what to set instead when the embedded server cannot start
   */
  public static synchronized String resolveUrl(String configured, String dataDir) {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    if (embedded == null) {
      LOG.warn("=====================================================================");
      LOG.warn(" No database configured (PARLEY_PERSISTENCE_DATABASE_URL is empty):");
      LOG.warn(" starting an EMBEDDED PostgreSQL for development in {}", dataDir);
      LOG.warn(" Do not use it in production.");
      LOG.warn("=====================================================================");
      try {
        embedded = EmbeddedPostgres.builder()
            .setDataDirectory(Path.of(dataDir))
            .setCleanDataDirectory(false)
            .start();
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("The embedded PostgreSQL could not start (" + rootMessage(e) + "). "
            + "On systems that refuse to run it (e.g. as root without user namespaces), start a PostgreSQL "
            + "yourself and set PARLEY_PERSISTENCE_DATABASE_URL=postgresql://user:password@host:5432/database", e);
      }
      LOG.warn("Embedded PostgreSQL listening on 127.0.0.1:{}", embedded.getPort());
    }
    return "postgresql://postgres:postgres@127.0.0.1:" + embedded.getPort() + "/postgres";
  }

  /** A text search configuration name, optionally schema-qualified: nothing else reaches the migration's SQL. */
  private static final java.util.regex.Pattern CONFIG_NAME =
      java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]*\\.)?[A-Za-z_][A-Za-z0-9_]*");

  /**
   * Applies pending migrations to the database at {@code url} (postgresql:// form).
   * {@code searchConfig} ({@code search.text_search_config}) is the Flyway placeholder
   * {@code search_config} of {@code V9__search.sql}: it takes effect when that migration runs and
   * stays fixed afterwards; a different value later is only warned about.
   *
   * @throws IllegalArgumentException when {@code searchConfig} is not a plain (optionally schema-qualified) name
   */
  public static void migrate(String url, String searchConfig) {
    if (!CONFIG_NAME.matcher(searchConfig).matches()) {
      throw new IllegalArgumentException("search.text_search_config must name a text search configuration "
          + "(e.g. simple, english), not " + searchConfig);
    }
    Jdbc jdbc = Jdbc.of(url);
    Flyway flyway = Flyway.configure()
        .dataSource(jdbc.url(), jdbc.user(), jdbc.password())
        .locations("classpath:db/migration")
        .placeholders(java.util.Map.of("search_config", searchConfig))
        .load();
    flyway.migrate();
    warnIfSearchConfigDiffers(flyway, searchConfig);
  }

  private static void warnIfSearchConfigDiffers(Flyway flyway, String configured) {
    try (java.sql.Connection c = flyway.getConfiguration().getDataSource().getConnection();
         java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT parley_search_config()::text")) {
      String inUse = rs.next() ? rs.getString(1).replaceFirst("^pg_catalog\\.", "") : configured;
      if (!inUse.equalsIgnoreCase(configured.replaceFirst("^pg_catalog\\.", ""))) {
        LOG.warn("search.text_search_config is {} but messages were indexed with {} when the search migration ran; "
            + "search keeps using {} (changing it needs a migration that rebuilds messages.search_tsv)", configured, inUse, inUse);
      }
    } catch (java.sql.SQLException e) {
      LOG.warn("could not read the text search configuration in use: {}", e.getMessage());
    }
  }

  /** A postgresql:// URL in JDBC terms. */
  record Jdbc(String url, String user, String password) {
    static Jdbc of(String url) {
      URI uri = URI.create(url.replaceFirst("^postgres(ql)?://", "http://"));
      String user = null;
      String password = null;
      if (uri.getUserInfo() != null) {
        String[] parts = uri.getUserInfo().split(":", 2);
        user = parts[0];
        password = parts.length > 1 ? parts[1] : null;
      }
      int port = uri.getPort() < 0 ? 5432 : uri.getPort();
      String query = uri.getQuery() == null ? "" : "?" + uri.getQuery();
      return new Jdbc("jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getPath() + query, user, password);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage();
  }
}
