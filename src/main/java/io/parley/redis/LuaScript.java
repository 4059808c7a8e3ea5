package io.parley.redis;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA1 ({@code EVALSHA}), so each call sends the keys and arguments only;
 * the text is sent ({@code SCRIPT LOAD}, or {@code EVAL} once) when Redis does not know it, e.g.
 * after a restart. Shared by presence and the rate limiter.
 */
public record LuaScript(String body, String sha) {
  /** The script with {@code body} as its text and the SHA1 Redis will know it by. */
  public static LuaScript of(String body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8));
      return new LuaScript(body, HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One call: {@code EVALSHA sha <keys> <args>}, arguments as strings. */
  public Request call(List<String> keys, Object... args) {
    return withArgs(Request.cmd(Command.EVALSHA).arg(sha), keys, args);
  }

  /** One call with the text: {@code EVAL body <keys> <args>} (Redis then knows the script by its SHA1 too). */
  public Request callWithText(List<String> keys, Object... args) {
    return withArgs(Request.cmd(Command.EVAL).arg(body), keys, args);
  }

  private static Request withArgs(Request r, List<String> keys, Object... args) {
    r.arg(keys.size());
    keys.forEach(r::arg);
    for (Object a : args) {
      r.arg(String.valueOf(a));
    }
    return r;
  }

  /** {@code SCRIPT LOAD body}: makes Redis know the script by its SHA1. */
  public Request load() {
    return Request.cmd(Command.SCRIPT).arg("LOAD").arg(body);
  }

  /** Whether a call (or a pipeline holding one) failed because Redis does not know the script. */
  public static boolean unknown(Throwable err) {
    return err.getMessage() != null && err.getMessage().contains("NOSCRIPT");
  }
}
