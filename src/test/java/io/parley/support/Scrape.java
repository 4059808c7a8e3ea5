package io.parley.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** One scrape of {@code /metrics} in Prometheus' text format, parsed into samples. */
public final class Scrape {
  /** One sample line: {@code name{labels} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  public final String contentType;
  public final List<Sample> samples;

  private Scrape(String contentType, List<Sample> samples) {
    this.contentType = contentType;
    this.samples = samples;
  }

  /** Parses {@code text} (comments and blank lines skipped; label values unescaped). */
  public static Scrape parse(String contentType, String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      Map<String, String> labels = new LinkedHashMap<>();
      String name;
      int at;
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        at = labels(line, brace + 1, labels);
      } else {
        name = line.substring(0, space);
        at = space;
      }
      String[] rest = line.substring(at).trim().split(" ");
      String v = rest[0];
      samples.add(new Sample(name, labels, v.equals("+Inf") ? Double.POSITIVE_INFINITY
          : v.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v)));
    }
    return new Scrape(contentType, samples);
  }

  /** Reads {@code k="v",...}} from {@code i}; returns the index after the closing brace. */
  private static int labels(String line, int i, Map<String, String> into) {
    while (line.charAt(i) != '}') {
      int eq = line.indexOf('=', i);
      String key = line.substring(i, eq);
      StringBuilder value = new StringBuilder();
      int j = eq + 2; // past ="
      for (; line.charAt(j) != '"'; j++) {
        char c = line.charAt(j);
        if (c == '\\') {
          char n = line.charAt(++j);
          value.append(n == 'n' ? '\n' : n);
        } else {
          value.append(c);
        }
      }
      into.put(key, value.toString());
      i = j + 1;
      if (line.charAt(i) == ',') {
        i++;
      }
    }
    return i + 1;
  }

  /** The sum of the samples named {@code name} whose labels pass {@code labels}. */
  public double sum(String name, Predicate<Map<String, String>> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && labels.test(s.labels())).mapToDouble(Sample::value).sum();
  }

  /** The sum of the samples named {@code name}. */
  public double sum(String name) {
    return sum(name, l -> true);
  }

  /** Whether a sample named {@code name} is there. */
  public boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }

  /** Every label value of every sample. */
  public List<String> labelValues() {
    return samples.stream().flatMap(s -> s.labels().values().stream()).toList();
  }
}
