package io.parley.assistant;

import io.parley.assistant.model.ChatMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What the model is given: the system prompt, then the room's recent messages as {@code user}
 * and {@code assistant} turns (the bot's own messages are the assistant's), newest last, within a
 * budget of characters (about four to a token): the oldest go first. Attachments are described by
 * name and type, never sent; deleted messages are left out.
 */
final class Context {
  private Context() {}

  /**
   * @param page a history page ({@code {items: [Message...]}}, ascending seq)
   * @param botId the bot user's id
   * @param budgetChars most characters of turns (the system prompt aside); the newest turn is always kept
   */
  static List<ChatMessage> of(String systemPrompt, JsonObject page, long botId, int budgetChars) {
    JsonArray items = page.getJsonArray("items", new JsonArray());
    Deque<ChatMessage> turns = new ArrayDeque<>();
    int used = 0;
    for (int i = items.size() - 1; i >= 0; i--) {
      JsonObject m = items.getJsonObject(i);
      if (Boolean.TRUE.equals(m.getBoolean("deleted"))) {
        continue;
      }
      String text = text(m);
      if (text.isBlank()) {
        continue;
      }
      if (!turns.isEmpty() && used + text.length() > budgetChars) {
        break;
      }
      used += text.length();
      Long author = m.getLong("author_id");
      turns.addFirst(author != null && author == botId ? ChatMessage.assistant(text) : ChatMessage.user(text));
    }
    List<ChatMessage> out = new ArrayList<>(turns.size() + 1);
    out.add(ChatMessage.system(systemPrompt));
    out.addAll(turns);
    return out;
  }

  /** The body with a line per attachment: {@code [attachment: name (type)]}. */
  static String text(JsonObject m) {
    StringBuilder text = new StringBuilder(m.getString("body") == null ? "" : m.getString("body"));
    for (Object o : m.getJsonArray("attachments", new JsonArray())) {
      JsonObject a = (JsonObject) o;
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append("[attachment: ").append(a.getString("name")).append(" (").append(a.getString("content_type")).append(")]");
    }
    return text.toString();
  }
}
