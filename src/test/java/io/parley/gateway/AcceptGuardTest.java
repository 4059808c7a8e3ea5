package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The gateway's accept guard")
class AcceptGuardTest {

  @Test
  @DisplayName("a failure right after a brief recovery continues the episode; after the quiet period it starts a new one")
  void episodes() {
    AcceptGuard guard = new AcceptGuard();
    EmbeddedChannel server = new EmbeddedChannel(guard);
    server.pipeline().fireExceptionCaught(new IOException("Too many open files"));
    assertTrue(guard.failing());
    assertFalse(server.config().isAutoRead(), "accepting pauses");
    server.pipeline().fireChannelRead("a connection"); // one accept got through
    assertFalse(guard.failing());
    server.pipeline().fireExceptionCaught(new IOException("Too many open files"));
    assertEquals(1, guard.episodes(), "the same episode: one warning");
    assertEquals(2, guard.failures());

    AcceptGuard noQuiet = new AcceptGuard(0);
    EmbeddedChannel other = new EmbeddedChannel(noQuiet);
    other.pipeline().fireExceptionCaught(new IOException("Too many open files"));
    other.pipeline().fireChannelRead("a connection");
    other.pipeline().fireExceptionCaught(new IOException("Too many open files"));
    assertEquals(2, noQuiet.episodes(), "past the quiet period: a new episode");
    server.finishAndReleaseAll();
    other.finishAndReleaseAll();
  }
}
