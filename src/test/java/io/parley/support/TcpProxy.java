package io.parley.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback in front of a real service (PostgreSQL), so a test can take the
 * service away from one node: {@link #cut()} drops every proxied connection and refuses new
 * ones, as a stopped server would; {@link #restore()} listens again on the same port.
 */
public final class TcpProxy implements AutoCloseable {
  private final Vertx vertx;
  private final NetClient client;
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private NetServer server;

  public TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.client = vertx.createNetClient();
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.port = TestCluster.freePort();
    restore();
  }

  /** The port the proxy listens on. */
  public int port() {
    return port;
  }

  /** Listens (again) and proxies each connection to the target. */
  public void restore() {
    server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      sockets.add(in);
      client.connect(targetPort, targetHost).onSuccess(out -> {
        sockets.add(out);
        in.pipeTo(out);
        out.pipeTo(in);
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.resume();
      }).onFailure(err -> in.close());
    });
    Api.await(server.listen(port, "127.0.0.1"));
  }

  /** Stops listening (new connections are refused) and drops every open connection. */
  public void cut() {
    Api.await(server.close());
    Api.await(Future.join(sockets.stream().map(NetSocket::close).toList()));
    sockets.clear();
  }

  @Override
  public void close() {
    cut();
    client.close();
  }
}
