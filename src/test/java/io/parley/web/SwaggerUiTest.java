package io.parley.web;

import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Swagger UI in headless Chromium on a node of its own on a free (not the default) API port: the
 * contract's relative server makes "Try it out" call the port the page came from.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Swagger UI on any port")
class SwaggerUiTest {
  private TestCluster cluster;
  private Vertx vertx;

  @BeforeAll
  void start() {
    cluster = TestCluster.start(1, root -> { });
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stop() {
    cluster.close();
    Api.await(vertx.close());
  }

  @Test
  @DisplayName("Authorize with a user's token, then Try it out on GET /users/me answers 200")
  void tryItOut() {
    int port = cluster.a().apiPort();
    String token = new Api(vertx, port).newUser("swagger").getString("access_token");
    try (Browser b = Browser.start()) {
      b.open("http://127.0.0.1:" + port + "/docs/#/users/getMe"); // deep link: the operation opens
      b.click(".auth-wrapper .authorize");
      b.type(".modal-ux .auth-container input", token);
      b.click(".modal-ux .auth-btn-wrapper .authorize");
      b.click(".modal-ux .btn-done");
      b.find("#operations-users-getMe .opblock-body");
      b.click("#operations-users-getMe .try-out__btn");
      b.click("#operations-users-getMe .execute");
      // the live table's head has a .response-col_status cell too ("Code"): the body row holds the status
      b.waitText("#operations-users-getMe .responses-wrapper .live-responses-table tbody .response-col_status", "200");
    }
  }
}
