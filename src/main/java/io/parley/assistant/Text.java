package io.parley.assistant;

/** The model's text made storable: U+0000 and unpaired surrogates (PostgreSQL stores neither) are dropped. */
final class Text {
  private Text() {}

  static String storable(String s) {
    if (s.chars().noneMatch(c -> c == 0 || Character.isSurrogate((char) c))) {
      return s; // the usual case: nothing to drop
    }
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints().filter(cp -> cp != 0 && !(cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE))
        .forEach(out::appendCodePoint);
    return out.toString();
  }
}
