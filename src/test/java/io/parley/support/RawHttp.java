package io.parley.support;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests an HTTP client refuses to send (malformed
 * percent-encoding, bytes that are not UTF-8, over-long request lines and headers, garbage). One
 * request per connection ({@code Connection: close}); the answer is read to the end of the stream.
 * Blocking: call it from a test thread, never from an event loop.
 */
public final class RawHttp {
  private RawHttp() {}

  /**
   * A request: {@code target} is sent exactly as given (its chars as ISO-8859-1 bytes, so a test
   * can put any byte in it); a non-null {@code body} gets a Content-Length and, when
   * {@code contentType} is not null, that Content-Type.
   */
  public static byte[] request(String method, String target, Map<String, String> headers, String contentType, byte[] body) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\nConnection: close\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (body != null) {
      if (contentType != null) {
        head.append("Content-Type: ").append(contentType).append("\r\n");
      }
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[h.length + (body == null ? 0 : body.length)];
    System.arraycopy(h, 0, all, 0, h.length);
    if (body != null) {
      System.arraycopy(body, 0, all, h.length, body.length);
    }
    return all;
  }

  /** Sends {@code request} to 127.0.0.1:{@code port} and parses the answer. */
  public static Api.Resp exchange(int port, byte[] request) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (SocketException refusedEarly) {
        // the server may answer (414, 431, 413) and close before reading all we send: read that answer
      }
      return parse(readAll(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = in.read(chunk)) > 0; ) {
        buf.write(chunk, 0, n);
      }
    } catch (SocketException reset) {
      if (buf.size() == 0) {
        throw reset;
      } // else: a reset after the answer (unread request bytes) loses nothing we need
    }
    return buf.toByteArray();
  }

  private static Api.Resp parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IllegalStateException("no HTTP answer: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
    }
    int from = end + 4;
    int length = headers.contains("Content-Length") ? Integer.parseInt(headers.get("Content-Length")) : raw.length - from;
    return new Api.Resp(status, headers, Buffer.buffer().appendBytes(raw, from, Math.min(length, raw.length - from)));
  }
}
