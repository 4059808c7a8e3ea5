package io.parley.persistence.search;

/**
 * Turns ts_headline's output ({@link SearchSql}) into safe HTML: everything escaped, then the
 * match markers U+E000/U+E001 become {@code <mark>}/{@code </mark>} and U+E002/U+E003 (the
 * body's own {@code <} and {@code >}) become {@code &lt;}/{@code &gt;}. The only tags in a
 * snippet are {@code <mark>} ones.
 */
final class Snippets {
  private Snippets() {}

  static String html(String headline) {
    if (headline == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(headline.length() + 32);
    for (int i = 0; i < headline.length(); i++) {
      char c = headline.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<', '\uE002' -> out.append("&lt;");
        case '>', '\uE003' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        case '\uE000' -> out.append("<mark>");
        case '\uE001' -> out.append("</mark>");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
