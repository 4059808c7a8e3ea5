package io.parley.persistence.search;

import java.util.regex.Pattern;

/**
 * What of the typed text is matched as a prefix: its last word, while it is being typed. That is
 * the last whitespace-separated token when the text does not end with a space (a finished
 * word), the token is not a negation ({@code -word}), no double quote is open or in it (phrases
 * match exactly), and it is not {@code or}; stripped of anything but letters (with their marks)
 * and digits at its ends, and only when what remains is letters and digits alone.
 */
final class SearchQuery {
  private static final Pattern EDGES = Pattern.compile("^[^\\p{L}\\p{M}\\p{N}]+|[^\\p{L}\\p{M}\\p{N}]+$");
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{M}\\p{N}]+");

  private SearchQuery() {}

  /** The word to match as a prefix, or null for none. */
  static String prefixWord(String text) {
    if (text.isEmpty() || Character.isWhitespace(text.charAt(text.length() - 1))) {
      return null;
    }
    int start = text.length();
    while (start > 0 && !Character.isWhitespace(text.charAt(start - 1))) {
      start--;
    }
    String token = text.substring(start);
    if (token.startsWith("-") || token.indexOf('"') >= 0 || text.substring(0, start).chars().filter(c -> c == '"').count() % 2 != 0) {
      return null;
    }
    String word = EDGES.matcher(token).replaceAll("");
    if (!WORD.matcher(word).matches() || word.equalsIgnoreCase("or")) {
      return null;
    }
    return word;
  }
}
