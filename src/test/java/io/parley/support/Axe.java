package io.parley.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Accessibility checks with axe-core (https://github.com/dequelabs/axe-core, its axe.min.js as
 * packed in {@code com.deque.html.axe-core:selenium}) run in the page: the WCAG 2.0, 2.1 and 2.2
 * A and AA rules over what the page shows.
 */
public final class Axe {
  private static final String SCRIPT = load();

  private Axe() {}

  private static String load() {
    try (InputStream in = Axe.class.getClassLoader().getResourceAsStream("axe.min.js")) {
      if (in == null) {
        throw new IllegalStateException("axe.min.js is not on the test class path (com.deque.html.axe-core:selenium)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The serious and critical violations on the page as it is now, one line each: rule id, impact,
   * and the first few elements concerned with axe's summary of what fails for each. Empty: none.
   */
  @SuppressWarnings("unchecked")
  public static List<String> seriousViolations(Browser b) {
    if (!Boolean.TRUE.equals(b.driver.executeScript("return typeof window.axe === 'object'"))) {
      b.driver.executeScript(SCRIPT);
    }
    Object found = b.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
        + ".then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ' (' + v.impact + '): '"
        + " + v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | '))))"
        + ".catch(e => done(['axe failed: ' + e]));");
    return (List<String>) found;
  }
}
