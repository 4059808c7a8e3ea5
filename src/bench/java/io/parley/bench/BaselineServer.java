package io.parley.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline of the benchmarks: a bare Vert.x WebSocket broadcast server speaking the subset of
 * Parley's protocol the fan-out workload uses (subscribe, message.send → message.created to the
 * room and message.ack), with no authentication, no database and no cluster. Parley's figures are
 * stated as a fraction of what this stack does on the same machine.
 *
 * <pre>java -cp target/parley-bench.jar io.parley.bench.BaselineServer 9081</pre>
 */
public final class BaselineServer {
  private BaselineServer() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9081;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    Map<Long, List<ServerWebSocket>> rooms = new ConcurrentHashMap<>();
    Map<Long, AtomicLong> seqs = new ConcurrentHashMap<>();
    for (int i = 0; i < 2; i++) {
      vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)).webSocketHandler(ws -> {
        ws.writeTextMessage("{\"type\":\"welcome\"}");
        ws.textMessageHandler(text -> {
          JsonObject f = new JsonObject(text);
          long room = f.getLong("room_id", 0L);
          switch (f.getString("type", "")) {
            case "subscribe" -> {
              rooms.computeIfAbsent(room, r -> new CopyOnWriteArrayList<>()).add(ws);
              ws.closeHandler(v -> rooms.get(room).remove(ws));
              ws.writeTextMessage(new JsonObject().put("type", "subscribed").put("room_id", room).put("last_seq", 0).encode());
            }
            case "message.send" -> {
              long seq = seqs.computeIfAbsent(room, r -> new AtomicLong()).incrementAndGet();
              JsonObject message = new JsonObject().put("room_id", room).put("seq", seq)
                  .put("client_msg_id", f.getString("client_msg_id")).put("body", f.getString("body"));
              Buffer frame = new JsonObject().put("type", "message.created").put("room_id", room).put("seq", seq)
                  .put("message", message).toBuffer();
              String text1 = frame.toString();
              for (ServerWebSocket member : rooms.getOrDefault(room, List.of())) {
                member.writeTextMessage(text1);
              }
              ws.writeTextMessage(new JsonObject().put("type", "message.ack").put("seq", seq).encode());
            }
            default -> { }
          }
        });
      }).listen().await();
    }
    System.out.println("baseline broadcast server on 127.0.0.1:" + port);
  }
}
