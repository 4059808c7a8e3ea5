package io.parley;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every operation of openapi.yaml, with every response status it declares, against a running
 * node; each response is checked against the contract by {@link Api}. The last check proves the
 * coverage from the contract itself, so a new operation or status without a test fails here. The
 * shared responses every operation may answer ({@link Api#EDGE_RESPONSES}: ContractFuzzTest's
 * part; {@link Api#LIMIT_RESPONSES}: LimitsTest's; {@link Api#SERVER_FAILURES}) are left out of it.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The HTTP API against its OpenAPI contract")
class ApiContractTest {
  private Api api;
  private Vertx vertx;
  private TestCluster cluster;

  /** A single node with every role, the development mail sink and e-mail verification required. */
  private io.parley.ParleyNode mailNode;
  private Api mailApi;
  private int mailGatewayPort;
  private io.vertx.sqlclient.Pool db;

  @BeforeAll
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    api = new Api(vertx, cluster.a().apiPort());
    int apiPort = TestCluster.freePort();
    mailGatewayPort = TestCluster.freePort();
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, "none", "mail-node", apiPort, mailGatewayPort);
    cfg.getJsonObject("cluster").put("enabled", false);
    cfg.getJsonObject("node").put("roles", new io.vertx.core.json.JsonArray().add("api").add("gateway").add("persistence").add("mail"));
    cfg.getJsonObject("auth").put("require_verified_email", true).put("resend_interval_s", 3);
    cfg.getJsonObject("billing").put("enforce_quotas", true); // a free user's 11th message is refused here
    mailNode = Api.await(io.parley.ParleyNode.start(io.parley.config.ParleyConfig.of(cfg)));
    mailApi = new Api(vertx, apiPort, api.exercised());
    db = io.vertx.pgclient.PgBuilder.pool().connectingTo(io.vertx.pgclient.PgConnectOptions.fromUri(cluster.databaseUrl))
        .using(vertx).build();
  }

  /** Waits for a mail to {@code to} whose subject contains {@code subject}, read from the dev mailbox. */
  private JsonObject awaitMail(String to, String subject) {
    JsonObject[] found = new JsonObject[1];
    Await.until(() -> (found[0] = findMail(to, subject)) != null, "a mail '" + subject + "' to " + to);
    return found[0];
  }

  private JsonObject findMail(String to, String subject) {
    JsonObject box = mailApi.call("devMailbox", GET, "/dev/mailbox", null, null).expect(200).json();
    for (Object o : box.getJsonArray("items")) {
      JsonObject mail = (JsonObject) o;
      if (to.equals(mail.getString("to")) && mail.getString("subject").contains(subject)) {
        return mail;
      }
    }
    return null;
  }

  private static String tokenOf(JsonObject mail) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("token=([A-Za-z0-9_-]+)").matcher(mail.getString("text"));
    assertTrue(m.find(), "a link with a token in " + mail.getString("text"));
    return m.group(1);
  }

  private long mailsTo(String to) {
    return mailApi.call("devMailbox", GET, "/dev/mailbox", null, null).expect(200).json().getJsonArray("items").stream()
        .filter(o -> to.equals(((JsonObject) o).getString("to"))).count();
  }

  @Test
  @DisplayName("media: uploads, their descriptions and bytes, avatars (each declared status; AttachmentsTest has the behaviour)")
  void media() {
    io.parley.media.MediaContractCalls.exercise(api);
  }

  @Test
  @DisplayName("message search: a page, a blank query, no token, a room not yours (each declared status; SearchTest has the behaviour)")
  void search() {
    io.parley.persistence.search.SearchContractCalls.exercise(api);
  }

  @Test
  @DisplayName("the assistant: who it is, and your conversation with it (made, then found)")
  void assistant() {
    JsonObject ann = api.newUser("assistant_ann");
    String token = ann.getString("access_token");
    assertTrue(api.call("getAssistant", GET, "/assistant", token, null).expect(200).json().getBoolean("configured"));
    api.call("getAssistant", GET, "/assistant", null, null).problem(401, "UNAUTHORIZED");
    long room = api.call("openAssistantConversation", POST, "/assistant/conversation", token, null).expect(201).json().getLong("id");
    assertEquals(room, api.call("openAssistantConversation", POST, "/assistant/conversation", token, null).expect(200).json()
        .getLong("id"));
    api.call("openAssistantConversation", POST, "/assistant/conversation", null, null).problem(401, "UNAUTHORIZED");
  }

  @Test
  @DisplayName("admin: a user's status and role, and the audit log (each declared status; AdminTest has the behaviour)")
  void admin() {
    JsonObject root = io.parley.support.Admins.admin(vertx, api, cluster, TestCluster.CONTRACT_ADMIN_EMAIL);
    String token = root.getString("access_token");
    JsonObject someone = api.newUser("contract_someone");
    String path = "/admin/users/" + someone.getLong("id");
    api.call("adminUpdateUser", PATCH, path, token, new JsonObject().put("role", "moderator")).expect(200);
    api.call("adminUpdateUser", PATCH, path, token, new JsonObject().put("role", "overlord")).problem(400, "VALIDATION_FAILED");
    api.call("adminUpdateUser", PATCH, path, null, new JsonObject().put("role", "user")).problem(401, "UNAUTHORIZED");
    api.call("adminUpdateUser", PATCH, path, someone.getString("access_token"), new JsonObject().put("role", "admin"))
        .problem(403, "FORBIDDEN");
    api.call("adminUpdateUser", PATCH, "/admin/users/999999999", token, new JsonObject().put("role", "user")).problem(404, "NOT_FOUND");
    JsonObject found = api.call("adminListUsers", GET, "/admin/users?q=" + someone.getString("username") + "&role=moderator&limit=5", token, null)
        .expect(200).json();
    assertTrue(found.getJsonArray("items").stream().map(JsonObject.class::cast)
        .anyMatch(u -> u.getLong("id").equals(someone.getLong("id")) && "free".equals(u.getString("plan_code"))));
    api.call("adminListUsers", GET, "/admin/users?status=gone", token, null).problem(400, "VALIDATION_FAILED");
    api.call("adminListUsers", GET, "/admin/users", null, null).problem(401, "UNAUTHORIZED");
    api.call("adminListUsers", GET, "/admin/users", someone.getString("access_token"), null).problem(403, "FORBIDDEN");
    JsonObject page = api.call("adminGetUser", GET, path, token, null).expect(200).json();
    assertEquals(someone.getLong("id"), page.getJsonObject("user").getLong("id"));
    assertEquals(0L, page.getJsonObject("today").getLong("messages"));
    api.call("adminGetUser", GET, "/admin/users/999999999", token, null).problem(404, "NOT_FOUND");
    api.call("adminGetUser", GET, path, null, null).problem(401, "UNAUTHORIZED");
    api.call("adminGetUser", GET, path, someone.getString("access_token"), null).problem(403, "FORBIDDEN");
    JsonArray plans = api.call("adminListPlans", GET, "/admin/plans", token, null).expect(200).json().getJsonArray("items");
    assertTrue(plans.stream().map(JsonObject.class::cast).anyMatch(p -> "basic".equals(p.getString("code"))));
    api.call("adminListPlans", GET, "/admin/plans", null, null).problem(401, "UNAUTHORIZED");
    api.call("adminListPlans", GET, "/admin/plans", someone.getString("access_token"), null).problem(403, "FORBIDDEN");
    JsonObject basic = plans.stream().map(JsonObject.class::cast).filter(p -> "basic".equals(p.getString("code"))).findFirst().orElseThrow();
    assertEquals(basic.getString("name"), api.call("adminUpdatePlan", PATCH, "/admin/plans/basic", token,
        new JsonObject().put("name", basic.getString("name"))).expect(200).json().getString("name"));
    String code = "contract-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    JsonObject created = api.call("adminCreatePlan", POST, "/admin/plans", token, new JsonObject().put("code", code).put("name", "Contract")
        .put("daily_message_limit", null).put("stripe_price_id", null).put("active", false)).expect(201).json();
    assertEquals(false, created.getBoolean("active"));
    api.call("adminCreatePlan", POST, "/admin/plans", token, new JsonObject().put("code", code).put("name", "x")).problem(409, "CONFLICT");
    api.call("adminCreatePlan", POST, "/admin/plans", token, new JsonObject().put("code", code + "-2")).problem(400, "VALIDATION_FAILED");
    api.call("adminCreatePlan", POST, "/admin/plans", null, new JsonObject().put("code", "x").put("name", "x")).problem(401, "UNAUTHORIZED");
    api.call("adminCreatePlan", POST, "/admin/plans", someone.getString("access_token"), new JsonObject().put("code", "x"))
        .problem(403, "FORBIDDEN"); // refused before the body is validated
    api.call("adminUpdatePlan", PATCH, "/admin/plans/basic", token, new JsonObject().put("price_cents", -1)).problem(400, "VALIDATION_FAILED");
    api.call("adminUpdatePlan", PATCH, "/admin/plans/nothing", token, new JsonObject().put("name", "x")).problem(404, "NOT_FOUND");
    api.call("adminUpdatePlan", PATCH, "/admin/plans/basic", null, new JsonObject().put("name", "x")).problem(401, "UNAUTHORIZED");
    api.call("adminUpdatePlan", PATCH, "/admin/plans/basic", someone.getString("access_token"), new JsonObject().put("name", "x"))
        .problem(403, "FORBIDDEN");
    for (String[] op : new String[][] {{"adminListPayments", "/admin/payments", "?status=lost"}, {"adminUsage", "/admin/usage", "?days=0"},
        {"adminListRooms", "/admin/rooms", "?limit=0"}}) {
      api.call(op[0], GET, op[1], token, null).expect(200);
      api.call(op[0], GET, op[1] + op[2], token, null).problem(400, "VALIDATION_FAILED");
      api.call(op[0], GET, op[1], null, null).problem(401, "UNAUTHORIZED");
      api.call(op[0], GET, op[1], someone.getString("access_token"), null).problem(403, "FORBIDDEN");
    }
    assertFalse(api.call("adminAudit", GET, "/admin/audit?limit=1", token, null).expect(200).json().getJsonArray("items").isEmpty());
    api.call("adminAudit", GET, "/admin/audit?limit=0", token, null).problem(400, "VALIDATION_FAILED");
    api.call("adminAudit", GET, "/admin/audit", null, null).problem(401, "UNAUTHORIZED");
    api.call("adminAudit", GET, "/admin/audit", someone.getString("access_token"), null).problem(403, "FORBIDDEN");
  }

  @Test
  @DisplayName("accounts by mail: verification gates sending, resend, reset, change, invite, profile, tokens single-use and expiring, throttled logins")
  void accountsByMail() {
    String name = "mail_" + System.nanoTime();
    String email = name + "@example.test";
    JsonObject me = mailApi.call("register", POST, "/auth/register", null,
        new JsonObject().put("email", email).put("username", name).put("password", "first password")).expect(201).json();
    assertFalse(me.getBoolean("email_verified"));
    JsonObject login = mailApi.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", email).put("password", "first password")).expect(200).json();
    String access = login.getString("access_token");
    JsonObject user = new JsonObject().put("access_token", access);
    long room = mailApi.newRoom(user, false).getLong("id");
    mailApi.call("sendMessage", POST, "/rooms/" + room + "/messages", access, new JsonObject().put("body", "too early"))
        .problem(403, "EMAIL_NOT_VERIFIED");
    try (io.parley.support.Ws ws = io.parley.support.Ws.open(vertx, mailGatewayPort, access)) {
      JsonObject refused = ws.request(new JsonObject().put("type", "message.send").put("room_id", room)
          .put("client_msg_id", "early").put("body", "too early"));
      assertEquals("EMAIL_NOT_VERIFIED", refused.getString("code"));
      ws.assertUsable();
    }
    assertTrue(mailApi.history(user, room, "").getJsonArray("items").isEmpty(), "reading is allowed, nothing was stored");
    mailApi.call("inviteUser", POST, "/users/invite", access, new JsonObject().put("email", "early." + name + "@example.test"))
        .problem(403, "EMAIL_NOT_VERIFIED"); // an unverified account mails nobody

    // the verification mail; a resend right away is throttled, a moment later it is allowed
    Api.Resp throttled = mailApi.call("resendVerification", POST, "/auth/resend-verification", access, null).problem(429, "RATE_LIMITED");
    assertTrue(Long.parseLong(throttled.headers().get("Retry-After")) >= 1);
    String firstToken = tokenOf(awaitMail(email, "Verify your e-mail"));
    Await.until(() -> mailApi.call("resendVerification", POST, "/auth/resend-verification", access, null).status() != 429,
        "resend allowed again after the interval");
    mailApi.call("resendVerification", POST, "/auth/resend-verification", null, null).problem(401, "UNAUTHORIZED");
    Await.until(() -> mailsTo(email) >= 2, "the second verification mail");

    // the link verifies and lands on the web client; used once only
    Api.Resp landed = mailApi.call("verifyEmailLink", GET, "/auth/verify-email?token=" + firstToken, null, null).expect(303);
    assertEquals("/?email_verified=1", landed.headers().get("Location"));
    assertEquals("/?email_verified=0&reason=TOKEN_USED",
        mailApi.call("verifyEmailLink", GET, "/auth/verify-email?token=" + firstToken, null, null).expect(303).headers().get("Location"));
    mailApi.call("verifyEmailLink", GET, "/auth/verify-email", null, null).problem(400, "VALIDATION_FAILED");
    mailApi.call("verifyEmail", POST, "/auth/verify-email", null, new JsonObject().put("token", firstToken)).problem(400, "TOKEN_USED");
    mailApi.call("verifyEmail", POST, "/auth/verify-email", null, new JsonObject().put("token", "nonsense")).problem(400, "TOKEN_INVALID");
    mailApi.call("verifyEmail", POST, "/auth/verify-email", null, new JsonObject()).problem(400, "VALIDATION_FAILED");
    mailApi.call("resendVerification", POST, "/auth/resend-verification", access, null).problem(409, "CONFLICT");
    assertTrue(mailApi.call("getMe", GET, "/users/me", access, null).expect(200).json().getBoolean("email_verified"));
    mailApi.send(user, room, "now allowed");
    for (int i = 2; i <= 10; i++) {
      mailApi.send(user, room, "message " + i);
    }
    Api.Resp over = mailApi.call("sendMessage", POST, "/rooms/" + room + "/messages", access, new JsonObject().put("body", "eleventh"))
        .problem(429, "MESSAGE_LIMIT_EXCEEDED");
    assertEquals(10, over.json().getJsonObject("details").getInteger("limit"));
    assertTrue(Long.parseLong(over.headers().get("Retry-After")) > 0);
    awaitMail(email, "Welcome");

    // the other verification token still verifies (idempotently) through the API form
    String newest = mailApi.call("devMailbox", GET, "/dev/mailbox", null, null).json().getJsonArray("items").stream()
        .map(o -> (JsonObject) o).filter(m -> email.equals(m.getString("to")) && m.getString("subject").contains("Verify"))
        .map(ApiContractTest::tokenOf).filter(tk -> !tk.equals(firstToken)).findFirst().orElseThrow();
    assertTrue(mailApi.call("verifyEmail", POST, "/auth/verify-email", null, new JsonObject().put("token", newest))
        .expect(200).json().getBoolean("email_verified"));

    // forgot → reset: old password and old refresh tokens stop working; no enumeration
    mailApi.call("forgotPassword", POST, "/auth/password/forgot", null, new JsonObject().put("email", "nobody-" + email)).expect(202);
    mailApi.call("forgotPassword", POST, "/auth/password/forgot", null, new JsonObject()).problem(400, "VALIDATION_FAILED");
    mailApi.call("forgotPassword", POST, "/auth/password/forgot", null, new JsonObject().put("email", email.toUpperCase())).expect(202);
    String reset = tokenOf(awaitMail(email, "Reset your Parley password"));
    mailApi.call("resetPassword", POST, "/auth/password/reset", null,
        new JsonObject().put("token", reset).put("new_password", "short")).problem(400, "VALIDATION_FAILED");
    mailApi.call("resetPassword", POST, "/auth/password/reset", null,
        new JsonObject().put("token", reset).put("new_password", "second password")).expect(204);
    mailApi.call("resetPassword", POST, "/auth/password/reset", null,
        new JsonObject().put("token", reset).put("new_password", "third password")).problem(400, "TOKEN_USED");
    mailApi.call("login", POST, "/auth/login", null, new JsonObject().put("email", email).put("password", "first password"))
        .problem(401, "UNAUTHORIZED");
    mailApi.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", login.getString("refresh_token")))
        .problem(401, "UNAUTHORIZED");
    JsonObject second = mailApi.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", email).put("password", "second password")).expect(200).json();

    // an expired reset link (a second reset mail is sent once resend_interval_s has passed)
    long resetMails = mailsTo(email);
    Await.until(() -> {
      if (mailsTo(email) != resetMails) {
        return true;
      }
      mailApi.call("forgotPassword", POST, "/auth/password/forgot", null, new JsonObject().put("email", email)).expect(202);
      return false;
    }, "a second reset mail");
    long before = mailsTo(email);
    String expiring = tokenOf(awaitMail(email, "Reset your Parley password"));
    Api.await(db.preparedQuery("UPDATE user_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1")
        .execute(io.vertx.sqlclient.Tuple.of(io.parley.auth.AccessTokens.hash(expiring))));
    mailApi.call("resetPassword", POST, "/auth/password/reset", null,
        new JsonObject().put("token", expiring).put("new_password", "third password")).problem(400, "TOKEN_EXPIRED");
    assertTrue(before >= 1);

    // change password: the current one is checked; all refresh tokens revoked; a fresh pair answered
    String access2 = second.getString("access_token");
    mailApi.call("changePassword", POST, "/auth/password/change", access2,
        new JsonObject().put("current_password", "wrong one").put("new_password", "third password")).problem(403, "FORBIDDEN");
    mailApi.call("changePassword", POST, "/auth/password/change", access2,
        new JsonObject().put("current_password", "second password").put("new_password", "tiny")).problem(400, "VALIDATION_FAILED");
    mailApi.call("changePassword", POST, "/auth/password/change", null,
        new JsonObject().put("current_password", "second password").put("new_password", "third password")).problem(401, "UNAUTHORIZED");
    JsonObject changed = mailApi.call("changePassword", POST, "/auth/password/change", access2,
        new JsonObject().put("current_password", "second password").put("new_password", "third password")).expect(200).json();
    mailApi.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", second.getString("refresh_token")))
        .problem(401, "UNAUTHORIZED");
    mailApi.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", changed.getString("refresh_token")))
        .expect(200);

    // profile
    String access3 = changed.getString("access_token");
    JsonObject renamed = mailApi.call("updateMe", PATCH, "/users/me", access3,
        new JsonObject().put("username", name + "_x").put("first_name", "Grace")).expect(200).json();
    assertEquals(name + "_x", renamed.getString("username"));
    assertEquals("Grace", renamed.getString("first_name"));
    JsonObject other = mailApi.newUser("taken");
    mailApi.call("updateMe", PATCH, "/users/me", access3, new JsonObject().put("username", other.getString("username")))
        .problem(409, "CONFLICT");
    mailApi.call("updateMe", PATCH, "/users/me", access3, new JsonObject().put("username", "no spaces allowed")).problem(400, "VALIDATION_FAILED");
    mailApi.call("updateMe", PATCH, "/users/me", null, new JsonObject().put("first_name", "x")).problem(401, "UNAUTHORIZED");

    // invite: a pending account, a link to choose a password, never a password in the mail
    String invitee = "inv_" + System.nanoTime() + "@example.test";
    JsonObject invited = mailApi.call("inviteUser", POST, "/users/invite", access3, new JsonObject().put("email", invitee)).expect(201).json();
    assertEquals("invited", invited.getString("status"));
    mailApi.call("inviteUser", POST, "/users/invite", access3, new JsonObject().put("email", invitee)).problem(409, "CONFLICT");
    mailApi.call("inviteUser", POST, "/users/invite", access3, new JsonObject().put("email", "not an email")).problem(400, "VALIDATION_FAILED");
    mailApi.call("inviteUser", POST, "/users/invite", null, new JsonObject().put("email", invitee)).problem(401, "UNAUTHORIZED");
    JsonObject invitation = awaitMail(invitee, "invited you to Parley");
    assertTrue(invitation.getString("text").contains(name + "_x invited you"));
    mailApi.call("login", POST, "/auth/login", null, new JsonObject().put("email", invitee).put("password", "whatever1"))
        .problem(401, "UNAUTHORIZED");
    mailApi.call("resetPassword", POST, "/auth/password/reset", null,
        new JsonObject().put("token", tokenOf(invitation)).put("new_password", "my own choice")).expect(204);
    JsonObject joined = mailApi.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", invitee).put("password", "my own choice")).expect(200).json();
    assertTrue(joined.getJsonObject("user").getBoolean("email_verified"), "the invitation link proved the address");
    assertEquals("active", joined.getJsonObject("user").getString("status"));

    // password guessing: five failures lock the account for a while, even for the right password
    for (int i = 0; i < 5; i++) {
      mailApi.call("login", POST, "/auth/login", null, new JsonObject().put("email", invitee).put("password", "guess " + i))
          .problem(401, "UNAUTHORIZED");
    }
    Api.Resp locked = mailApi.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", invitee).put("password", "my own choice")).problem(429, "RATE_LIMITED");
    assertTrue(Long.parseLong(locked.headers().get("Retry-After")) > 0);

    // the dev mailbox exists only where the development sink runs
    api.call("devMailbox", GET, "/dev/mailbox", null, null).problem(404, "NOT_FOUND");
  }

  @AfterAll
  void tearDown() {
    if (db != null) {
      db.close();
    }
    if (mailNode != null) {
      Api.await(mailNode.close());
    }
  }

  private static String t(JsonObject user) {
    return user.getString("access_token");
  }

  @Test
  @DisplayName("register, login, refresh with rotation and reuse detection, logout, me, user search")
  void accounts() {
    String email = "acc_" + System.nanoTime() + "@example.test";
    String username = "acc_" + System.nanoTime();
    JsonObject reg = new JsonObject().put("email", email).put("username", username).put("password", "long enough")
        .put("first_name", "Ada").put("last_name", "Lovelace");
    JsonObject me = api.call("register", POST, "/auth/register", null, reg).expect(201).json();
    assertEquals(username, me.getString("username"));
    assertEquals("Ada", me.getString("first_name"));
    assertFalse(me.containsKey("password_hash"));

    api.call("register", POST, "/auth/register", null, reg.copy().put("username", username + "x")).problem(409, "CONFLICT");
    api.call("register", POST, "/auth/register", null, reg.copy().put("email", "x" + email).put("username", username.toUpperCase()))
        .problem(409, "CONFLICT");
    api.call("register", POST, "/auth/register", null, reg.copy().put("password", "short")).problem(400, "VALIDATION_FAILED");
    api.call("register", POST, "/auth/register", null, reg.copy().put("email", "not-an-email")).problem(400, "VALIDATION_FAILED");
    api.call("register", POST, "/auth/register", null, reg.copy().put("username", "a b")).problem(400, "VALIDATION_FAILED");
    api.call("register", POST, "/auth/register", null, new JsonObject().put("email", email)).problem(400, "VALIDATION_FAILED");
    api.call("register", POST, "/auth/register", null, reg.copy().put("first_name", "x".repeat(70_000)))
        .problem(413, "PAYLOAD_TOO_LARGE");

    JsonObject login = api.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", email.toUpperCase()).put("password", "long enough")).expect(200).json();
    assertEquals("Bearer", login.getString("token_type"));
    assertEquals(me.getLong("id"), login.getJsonObject("user").getLong("id"));
    api.call("login", POST, "/auth/login", null, new JsonObject().put("email", email).put("password", "wrong password"))
        .problem(401, "UNAUTHORIZED");
    api.call("login", POST, "/auth/login", null, new JsonObject().put("email", "nobody@example.test").put("password", "whatever1"))
        .problem(401, "UNAUTHORIZED");
    api.call("login", POST, "/auth/login", null, new JsonObject().put("email", 42)).problem(400, "VALIDATION_FAILED");

    String access = login.getString("access_token");
    assertEquals(me, api.call("getMe", GET, "/users/me", access, null).expect(200).json());
    api.call("getMe", GET, "/users/me", null, null).problem(401, "UNAUTHORIZED");
    api.call("getMe", GET, "/users/me", "not.a.jwt", null).problem(401, "UNAUTHORIZED");

    // refresh rotates: the old refresh token stops working, and presenting it again revokes the new one too
    String r1 = login.getString("refresh_token");
    JsonObject rotated = api.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", r1)).expect(200).json();
    String r2 = rotated.getString("refresh_token");
    assertNotEquals(r1, r2);
    assertEquals(200, api.call("getMe", GET, "/users/me", rotated.getString("access_token"), null).status());
    api.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", r1)).problem(401, "UNAUTHORIZED");
    api.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", r2)).problem(401, "UNAUTHORIZED");
    api.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", "")).problem(400, "VALIDATION_FAILED");

    // browsers: the refresh token also travels as an HttpOnly cookie
    Api.Resp cookieLogin = api.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", email).put("password", "long enough")).expect(200);
    String setCookie = cookieLogin.headers().getAll("Set-Cookie").stream().filter(c -> c.startsWith("parley_refresh=")).findFirst()
        .orElseThrow();
    assertTrue(setCookie.toLowerCase().contains("httponly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/api/v1/auth"), setCookie);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertEquals(cookie.substring("parley_refresh=".length()), cookieLogin.json().getString("refresh_token"));
    JsonObject viaCookie = api.call("refresh", POST, "/auth/refresh", null, null, Map.of("Cookie", cookie)).expect(200).json();
    assertEquals(me.getLong("id"), viaCookie.getJsonObject("user").getLong("id"));
    api.call("refresh", POST, "/auth/refresh", null, null, Map.of("Cookie", cookie)).problem(401, "UNAUTHORIZED");
    api.call("refresh", POST, "/auth/refresh", null, new JsonObject()).problem(401, "UNAUTHORIZED");
    Api.Resp cookieLogout = api.call("logout", POST, "/auth/logout", viaCookie.getString("access_token"), null,
        Map.of("Cookie", "parley_refresh=" + viaCookie.getString("refresh_token"))).expect(204);
    assertTrue(cookieLogout.headers().getAll("Set-Cookie").stream().anyMatch(c -> c.startsWith("parley_refresh=;")
        && c.contains("Max-Age=0")), "logout clears the cookie");
    api.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", viaCookie.getString("refresh_token")))
        .problem(401, "UNAUTHORIZED");

    // logout revokes
    JsonObject again = api.call("login", POST, "/auth/login", null, new JsonObject().put("email", email).put("password", "long enough"))
        .expect(200).json();
    api.call("logout", POST, "/auth/logout", again.getString("access_token"),
        new JsonObject().put("refresh_token", again.getString("refresh_token"))).expect(204);
    api.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", again.getString("refresh_token")))
        .problem(401, "UNAUTHORIZED");
    // the refresh token is its own credential: no access token needed (it may have expired)
    JsonObject third = api.call("login", POST, "/auth/login", null, new JsonObject().put("email", email).put("password", "long enough"))
        .expect(200).json();
    api.call("logout", POST, "/auth/logout", null, new JsonObject().put("refresh_token", third.getString("refresh_token"))).expect(204);
    api.call("refresh", POST, "/auth/refresh", null, new JsonObject().put("refresh_token", third.getString("refresh_token")))
        .problem(401, "UNAUTHORIZED");
    api.call("logout", POST, "/auth/logout", access, new JsonObject().put("refresh_token", 5)).problem(400, "VALIDATION_FAILED");

    JsonObject clientConfig = api.call("getClientConfig", GET, "/client-config", null, null).expect(200).json();
    assertEquals(cluster.a().gatewayPort(), clientConfig.getInteger("gateway_port"));
    assertNull(clientConfig.getString("ws_url"));
    assertEquals("node-a", clientConfig.getString("node"));

    // search by username prefix, paginated, and by a whole e-mail address (never a prefix of one); e-mails are not exposed
    String prefix = "srch" + System.nanoTime();
    for (int i = 0; i < 3; i++) {
      api.call("register", POST, "/auth/register", null, new JsonObject().put("email", prefix + i + "@example.test")
          .put("username", prefix + "_" + i).put("password", "long enough")).expect(201);
    }
    JsonObject page1 = api.call("searchUsers", GET, "/users?q=" + prefix.toUpperCase() + "&limit=2", access, null).expect(200).json();
    assertEquals(List.of(prefix + "_0", prefix + "_1"), usernames(page1));
    assertNull(page1.getJsonArray("items").getJsonObject(0).getValue("email"));
    JsonObject page2 = api.call("searchUsers", GET, "/users?q=" + prefix + "&limit=2&cursor=" + page1.getString("next_cursor"),
        access, null).expect(200).json();
    assertEquals(List.of(prefix + "_2"), usernames(page2));
    assertNull(page2.getString("next_cursor"));
    assertEquals(List.of(username), usernames(api.call("searchUsers", GET, "/users?q=" + email, access, null).json()));
    assertEquals(List.of(), usernames(api.call("searchUsers", GET, "/users?q=" + email.substring(0, email.length() - 1), access, null).json()));
    api.call("searchUsers", GET, "/users", access, null).problem(400, "VALIDATION_FAILED");
    api.call("searchUsers", GET, "/users?q=a&limit=1000", access, null).problem(400, "VALIDATION_FAILED");
    api.call("searchUsers", GET, "/users?q=a", null, null).problem(401, "UNAUTHORIZED");
  }

  private static List<String> usernames(JsonObject page) {
    return page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("username")).toList();
  }

  @Test
  @DisplayName("rooms: create, list mine and public, get, update and delete by the owner only")
  void rooms() {
    JsonObject owner = api.newUser("owner");
    JsonObject other = api.newUser("other");
    JsonObject room = api.call("createRoom", POST, "/rooms", t(owner),
        new JsonObject().put("name", "Lobby").put("description", "hi")).expect(201).json();
    long id = room.getLong("id");
    assertEquals("owner", room.getString("role"));
    assertEquals("group", room.getString("kind"));
    assertEquals(1, room.getInteger("member_count"));
    JsonObject secret = api.newRoom(owner, true);

    api.call("createRoom", POST, "/rooms", t(owner), new JsonObject().put("name", "")).problem(400, "VALIDATION_FAILED");
    api.call("createRoom", POST, "/rooms", t(owner), new JsonObject().put("name", "x").put("is_private", "yes")).problem(400, "VALIDATION_FAILED");
    api.call("createRoom", POST, "/rooms", null, new JsonObject().put("name", "x")).problem(401, "UNAUTHORIZED");

    JsonObject mine = api.call("listRooms", GET, "/rooms?limit=1", t(owner), null).expect(200).json();
    assertEquals(id, mine.getJsonArray("items").getJsonObject(0).getLong("id"));
    JsonObject mine2 = api.call("listRooms", GET, "/rooms?limit=1&cursor=" + mine.getString("next_cursor"), t(owner), null).expect(200).json();
    assertEquals(secret.getLong("id"), mine2.getJsonArray("items").getJsonObject(0).getLong("id"));
    api.call("listRooms", GET, "/rooms?limit=0", t(owner), null).problem(400, "VALIDATION_FAILED");
    api.call("listRooms", GET, "/rooms", null, null).problem(401, "UNAUTHORIZED");

    JsonObject found = api.call("listPublicRooms", GET, "/rooms/public?q=lob&limit=100", t(other), null).expect(200).json();
    assertTrue(found.getJsonArray("items").stream().anyMatch(o -> ((JsonObject) o).getLong("id") == id));
    assertTrue(found.getJsonArray("items").stream().noneMatch(o -> ((JsonObject) o).getLong("id").equals(secret.getLong("id"))),
        "private rooms are not listed");
    api.call("listPublicRooms", GET, "/rooms/public?cursor=abc", t(other), null).problem(400, "VALIDATION_FAILED");
    api.call("listPublicRooms", GET, "/rooms/public", null, null).problem(401, "UNAUTHORIZED");

    assertNull(api.call("getRoom", GET, "/rooms/" + id, t(other), null).expect(200).json().getString("role"));
    api.call("getRoom", GET, "/rooms/" + secret.getLong("id"), t(other), null).problem(404, "NOT_FOUND");
    api.call("getRoom", GET, "/rooms/999999999", t(other), null).problem(404, "NOT_FOUND");
    api.call("getRoom", GET, "/rooms/abc", t(other), null).problem(400, "VALIDATION_FAILED");
    api.call("getRoom", GET, "/rooms/" + id, null, null).problem(401, "UNAUTHORIZED");

    JsonObject updated = api.call("updateRoom", PATCH, "/rooms/" + id, t(owner),
        new JsonObject().put("name", "Lobby 2").putNull("description")).expect(200).json();
    assertEquals("Lobby 2", updated.getString("name"));
    assertNull(updated.getString("description"));
    assertEquals(false, updated.getBoolean("is_private"));
    JsonObject joined = api.call("joinRoom", POST, "/rooms/" + id + "/join", t(other), null).expect(200).json();
    assertNull(joined.getValue("peer"), "group rooms have no peer");
    assertEquals(2, joined.getInteger("member_count"));
    api.call("updateRoom", PATCH, "/rooms/" + id, t(other), new JsonObject().put("name", "mine now")).problem(403, "FORBIDDEN");
    api.call("updateRoom", PATCH, "/rooms/" + secret.getLong("id"), t(other), new JsonObject().put("name", "x")).problem(404, "NOT_FOUND");
    api.call("updateRoom", PATCH, "/rooms/" + id, t(owner), new JsonObject()).problem(400, "VALIDATION_FAILED");
    api.call("updateRoom", PATCH, "/rooms/" + id, null, new JsonObject().put("name", "x")).problem(401, "UNAUTHORIZED");

    api.call("deleteRoom", DELETE, "/rooms/" + id, t(other), null).problem(403, "FORBIDDEN");
    api.call("deleteRoom", DELETE, "/rooms/0", t(owner), null).problem(400, "VALIDATION_FAILED");
    api.call("deleteRoom", DELETE, "/rooms/" + id, null, null).problem(401, "UNAUTHORIZED");
    api.call("deleteRoom", DELETE, "/rooms/" + id, t(owner), null).expect(204);
    api.call("deleteRoom", DELETE, "/rooms/" + id, t(owner), null).problem(404, "NOT_FOUND");
    api.call("getRoom", GET, "/rooms/" + id, t(owner), null).problem(404, "NOT_FOUND");
  }

  @Test
  @DisplayName("members: join public rooms, leave, list, and the owner adds to and removes from private rooms")
  void members() {
    JsonObject owner = api.newUser("owner");
    JsonObject joiner = api.newUser("joiner");
    JsonObject outsider = api.newUser("outsider");
    long open = api.newRoom(owner, false).getLong("id");
    long closed = api.newRoom(owner, true).getLong("id");

    JsonObject joined = api.call("joinRoom", POST, "/rooms/" + open + "/join", t(joiner), null).expect(200).json();
    assertEquals("member", joined.getString("role"));
    assertEquals(2, joined.getInteger("member_count"));
    api.call("joinRoom", POST, "/rooms/" + open + "/join", t(joiner), null).expect(200); // no-op
    api.call("joinRoom", POST, "/rooms/" + closed + "/join", t(joiner), null).problem(404, "NOT_FOUND");
    api.call("joinRoom", POST, "/rooms/-1/join", t(joiner), null).problem(400, "VALIDATION_FAILED");
    api.call("joinRoom", POST, "/rooms/" + open + "/join", null, null).problem(401, "UNAUTHORIZED");

    JsonObject list = api.call("listMembers", GET, "/rooms/" + open + "/members?limit=1", t(joiner), null).expect(200).json();
    assertEquals(owner.getLong("id"), list.getJsonArray("items").getJsonObject(0).getLong("user_id"));
    assertEquals("owner", list.getJsonArray("items").getJsonObject(0).getString("role"));
    JsonObject rest = api.call("listMembers", GET, "/rooms/" + open + "/members?cursor=" + list.getString("next_cursor"), t(joiner), null)
        .expect(200).json();
    assertEquals(joiner.getLong("id"), rest.getJsonArray("items").getJsonObject(0).getLong("user_id"));
    api.call("listMembers", GET, "/rooms/" + open + "/members", t(outsider), null).problem(403, "FORBIDDEN");
    api.call("listMembers", GET, "/rooms/" + closed + "/members", t(outsider), null).problem(404, "NOT_FOUND");
    api.call("listMembers", GET, "/rooms/" + open + "/members?limit=501", t(joiner), null).problem(400, "VALIDATION_FAILED");
    api.call("listMembers", GET, "/rooms/" + open + "/members", null, null).problem(401, "UNAUTHORIZED");

    // private room: only the owner adds members
    JsonObject added = api.call("addMember", POST, "/rooms/" + closed + "/members", t(owner),
        new JsonObject().put("user_id", joiner.getLong("id"))).expect(201).json();
    assertEquals(joiner.getLong("id"), added.getLong("user_id"));
    assertEquals(200, api.call("getRoom", GET, "/rooms/" + closed, t(joiner), null).status(), "now visible to the added member");
    api.call("addMember", POST, "/rooms/" + closed + "/members", t(owner), new JsonObject().put("user_id", joiner.getLong("id")))
        .problem(409, "CONFLICT");
    api.call("addMember", POST, "/rooms/" + closed + "/members", t(joiner), new JsonObject().put("user_id", outsider.getLong("id")))
        .problem(403, "FORBIDDEN");
    api.call("addMember", POST, "/rooms/" + closed + "/members", t(outsider), new JsonObject().put("user_id", outsider.getLong("id")))
        .problem(404, "NOT_FOUND");
    api.call("addMember", POST, "/rooms/" + closed + "/members", t(owner), new JsonObject().put("user_id", 999_999_999L))
        .problem(404, "NOT_FOUND");
    api.call("addMember", POST, "/rooms/" + closed + "/members", t(owner), new JsonObject().put("user_id", "me"))
        .problem(400, "VALIDATION_FAILED");
    api.call("addMember", POST, "/rooms/" + closed + "/members", null, new JsonObject().put("user_id", 1)).problem(401, "UNAUTHORIZED");

    api.call("removeMember", DELETE, "/rooms/" + closed + "/members/" + owner.getLong("id"), t(joiner), null).problem(403, "FORBIDDEN");
    api.call("removeMember", DELETE, "/rooms/" + closed + "/members/" + owner.getLong("id"), t(owner), null).problem(409, "CONFLICT");
    api.call("removeMember", DELETE, "/rooms/" + closed + "/members/" + outsider.getLong("id"), t(owner), null).problem(404, "NOT_FOUND");
    api.call("removeMember", DELETE, "/rooms/" + closed + "/members/x", t(owner), null).problem(400, "VALIDATION_FAILED");
    api.call("removeMember", DELETE, "/rooms/" + closed + "/members/" + joiner.getLong("id"), null, null).problem(401, "UNAUTHORIZED");
    api.call("removeMember", DELETE, "/rooms/" + closed + "/members/" + joiner.getLong("id"), t(owner), null).expect(204);
    api.call("getRoom", GET, "/rooms/" + closed, t(joiner), null).problem(404, "NOT_FOUND");

    // leave; the owner only by handing the room to a member (RoomHandoverTest has the behaviour)
    api.call("leaveRoom", POST, "/rooms/" + open + "/leave", t(owner), null).problem(409, "CONFLICT");
    api.call("leaveRoom", POST, "/rooms/" + open + "/leave", t(owner), new JsonObject().put("new_owner_id", outsider.getLong("id")))
        .problem(400, "VALIDATION_FAILED");
    api.call("leaveRoom", POST, "/rooms/" + open + "/leave", t(joiner), new JsonObject().put("new_owner_id", owner.getLong("id")))
        .problem(403, "FORBIDDEN");
    api.call("leaveRoom", POST, "/rooms/" + open + "/leave", t(outsider), null).problem(403, "FORBIDDEN");
    api.call("leaveRoom", POST, "/rooms/" + closed + "/leave", t(outsider), null).problem(404, "NOT_FOUND");
    api.call("leaveRoom", POST, "/rooms/x/leave", t(joiner), null).problem(400, "VALIDATION_FAILED");
    api.call("leaveRoom", POST, "/rooms/" + open + "/leave", null, null).problem(401, "UNAUTHORIZED");
    api.call("leaveRoom", POST, "/rooms/" + open + "/leave", t(joiner), null).expect(204);
    api.call("listMembers", GET, "/rooms/" + open + "/members", t(joiner), null).problem(403, "FORBIDDEN");
  }

  @Test
  @DisplayName("read markers move forward only and drive unread counts after sends, reads, edits and deletes; presence by id")
  void readMarkersUnreadAndPresence() {
    JsonObject ann = api.newUser("ann");
    JsonObject ben = api.newUser("ben");
    JsonObject outsider = api.newUser("out");
    JsonObject room = api.newRoom(ann, false);
    long id = room.getLong("id");
    api.join(ben, id);
    long m1 = api.send(ann, id, "one").getLong("seq");
    api.send(ann, id, "two");
    JsonObject three = api.send(ann, id, "three");
    api.send(ben, id, "ben's own"); // own messages are never unread

    JsonObject unread = api.call("getUnread", GET, "/unread", t(ben), null).expect(200).json();
    assertEquals(3, unread.getLong("total"));
    assertEquals(3, roomUnread(unread, id));
    JsonObject listed = api.call("listRooms", GET, "/rooms?limit=100", t(ben), null).expect(200).json().getJsonArray("items").stream()
        .map(o -> (JsonObject) o).filter(r -> r.getLong("id") == id).findFirst().orElseThrow();
    assertEquals(3, listed.getLong("unread_count"));
    assertEquals("ben's own", listed.getJsonObject("last_message").getString("body"));
    assertEquals(1, roomUnread(api.call("getUnread", GET, "/unread", t(ann), null).expect(200).json(), id),
        "ann has one unread: ben's");

    JsonObject read = api.call("markRead", POST, "/rooms/" + id + "/read", t(ben), new JsonObject().put("seq", m1)).expect(200).json();
    assertEquals(m1, read.getLong("last_read_seq"));
    assertEquals(2, read.getLong("unread_count"));
    JsonObject back = api.call("markRead", POST, "/rooms/" + id + "/read", t(ben), new JsonObject().put("seq", 0)).expect(200).json();
    assertEquals(m1, back.getLong("last_read_seq"), "never backwards");
    // an edit changes nothing, a delete of an unread message takes it out of the count
    api.call("editMessage", PATCH, "/messages/" + three.getLong("id"), t(ann), new JsonObject().put("body", "three!")).expect(200);
    assertEquals(2, roomUnread(api.call("getUnread", GET, "/unread", t(ben), null).json(), id));
    api.call("deleteMessage", DELETE, "/messages/" + three.getLong("id"), t(ann), null).expect(204);
    assertEquals(1, roomUnread(api.call("getUnread", GET, "/unread", t(ben), null).json(), id));
    JsonObject all = api.call("markRead", POST, "/rooms/" + id + "/read", t(ben), new JsonObject().put("seq", 1_000_000)).expect(200).json();
    assertEquals(0, all.getLong("unread_count"));
    assertTrue(all.getLong("last_read_seq") < 1_000_000, "capped at the room's head");
    JsonObject members = api.call("listMembers", GET, "/rooms/" + id + "/members", t(ann), null).expect(200).json();
    assertEquals(all.getLong("last_read_seq"), members.getJsonArray("items").stream().map(o -> (JsonObject) o)
        .filter(m -> m.getLong("user_id").equals(ben.getLong("id"))).findFirst().orElseThrow().getLong("last_read_seq"));
    api.call("markRead", POST, "/rooms/" + id + "/read", t(outsider), new JsonObject().put("seq", 1)).problem(403, "FORBIDDEN");
    api.call("markRead", POST, "/rooms/999999999/read", t(ben), new JsonObject().put("seq", 1)).problem(404, "NOT_FOUND");
    api.call("markRead", POST, "/rooms/" + id + "/read", t(ben), new JsonObject().put("seq", -1)).problem(400, "VALIDATION_FAILED");
    api.call("markRead", POST, "/rooms/" + id + "/read", null, new JsonObject().put("seq", 1)).problem(401, "UNAUTHORIZED");
    api.call("getUnread", GET, "/unread", null, null).problem(401, "UNAUTHORIZED");

    // presence by id: nobody here has a socket open
    JsonObject presence = api.call("getPresence", GET, "/presence?user_ids=" + ann.getLong("id") + "," + ben.getLong("id"), t(ann), null)
        .expect(200).json();
    assertEquals(2, presence.getJsonArray("items").size());
    assertTrue(presence.getJsonArray("items").stream().allMatch(o -> "offline".equals(((JsonObject) o).getString("status"))));
    assertTrue(members.getJsonArray("items").stream().allMatch(o -> Boolean.FALSE.equals(((JsonObject) o).getBoolean("online"))));
    api.call("getPresence", GET, "/presence?user_ids=abc", t(ann), null).problem(400, "VALIDATION_FAILED");
    api.call("getPresence", GET, "/presence", t(ann), null).problem(400, "VALIDATION_FAILED");
    api.call("getPresence", GET, "/presence?user_ids=1", null, null).problem(401, "UNAUTHORIZED");
    // the mail node runs no presence verticle and has no Redis: presence is unavailable, chat is not
    JsonObject loner = mailApi.newUser("loner");
    mailApi.call("getPresence", GET, "/presence?user_ids=1", loner.getString("access_token"), null).problem(503, "UNAVAILABLE");
  }

  private static long roomUnread(JsonObject unread, long roomId) {
    return unread.getJsonArray("rooms").stream().map(o -> (JsonObject) o).filter(r -> r.getLong("room_id") == roomId)
        .findFirst().orElseThrow().getLong("unread_count");
  }

  @Test
  @DisplayName("conversations: get-or-create is 201 then 200 from either side; not with yourself or a stranger id")
  void conversations() {
    JsonObject a = api.newUser("a");
    JsonObject b = api.newUser("b");
    JsonObject created = api.call("openConversation", POST, "/conversations", t(a), new JsonObject().put("user_id", b.getLong("id")))
        .expect(201).json();
    assertEquals("direct", created.getString("kind"));
    assertEquals(b.getLong("id"), created.getJsonObject("peer").getLong("id"));
    JsonObject existing = api.call("openConversation", POST, "/conversations", t(b), new JsonObject().put("user_id", a.getLong("id")))
        .expect(200).json();
    assertEquals(created.getLong("id"), existing.getLong("id"));
    assertEquals(a.getLong("id"), existing.getJsonObject("peer").getLong("id"));
    api.call("openConversation", POST, "/conversations", t(a), new JsonObject().put("user_id", a.getLong("id"))).problem(400, "VALIDATION_FAILED");
    api.call("openConversation", POST, "/conversations", t(a), new JsonObject().put("user_id", 999_999_999L)).problem(404, "NOT_FOUND");
    api.call("openConversation", POST, "/conversations", null, new JsonObject().put("user_id", 1)).problem(401, "UNAUTHORIZED");

    JsonObject outsider = api.newUser("c");
    long convo = created.getLong("id");
    api.call("getRoom", GET, "/rooms/" + convo, t(outsider), null).problem(404, "NOT_FOUND");
    api.call("joinRoom", POST, "/rooms/" + convo + "/join", t(outsider), null).problem(404, "NOT_FOUND");
    api.call("leaveRoom", POST, "/rooms/" + convo + "/leave", t(a), null).problem(409, "CONFLICT");
    api.call("updateRoom", PATCH, "/rooms/" + convo, t(a), new JsonObject().put("name", "x")).problem(403, "FORBIDDEN");
    api.send(a, convo, "hi b");
    assertEquals("hi b", api.history(b, convo, "").getJsonArray("items").getJsonObject(0).getString("body"));
  }

  @Test
  @DisplayName("messages: send (idempotent), history, edit and delete by the author only, members only")
  void messages() {
    JsonObject author = api.newUser("author");
    JsonObject member = api.newUser("member");
    JsonObject outsider = api.newUser("outsider");
    long room = api.newRoom(author, false).getLong("id");
    long privateRoom = api.newRoom(author, true).getLong("id");
    api.join(member, room);

    JsonObject sent = api.call("sendMessage", POST, "/rooms/" + room + "/messages", t(author),
        new JsonObject().put("body", "hello <b>world</b>").put("client_msg_id", "k1")).expect(201).json();
    assertEquals("hello <b>world</b>", sent.getString("body"));
    JsonObject retry = api.call("sendMessage", POST, "/rooms/" + room + "/messages", t(author),
        new JsonObject().put("body", "hello <b>world</b>").put("client_msg_id", "k1")).expect(200).json();
    assertEquals(sent, retry);
    api.call("sendMessage", POST, "/rooms/" + room + "/messages", t(outsider), new JsonObject().put("body", "x")).problem(403, "FORBIDDEN");
    api.call("sendMessage", POST, "/rooms/" + privateRoom + "/messages", t(outsider), new JsonObject().put("body", "x")).problem(404, "NOT_FOUND");
    api.call("sendMessage", POST, "/rooms/" + room + "/messages", t(author), new JsonObject().put("body", "")).problem(400, "VALIDATION_FAILED");
    api.call("sendMessage", POST, "/rooms/" + room + "/messages", t(author), new JsonObject().put("body", "   ")).problem(400, "VALIDATION_FAILED");
    api.call("sendMessage", POST, "/rooms/" + room + "/messages", t(author), new JsonObject().put("body", "x".repeat(4001)))
        .problem(400, "VALIDATION_FAILED");
    api.call("sendMessage", POST, "/rooms/" + room + "/messages", t(author), new JsonObject().put("body", 12)).problem(400, "VALIDATION_FAILED");
    api.call("sendMessage", POST, "/rooms/" + room + "/messages", t(author), "{\"body\": \"unterminated").problem(400, "VALIDATION_FAILED");
    api.call("sendMessage", POST, "/rooms/" + room + "/messages", t(author), new JsonObject().put("body", "x".repeat(70_000)))
        .problem(413, "PAYLOAD_TOO_LARGE");
    api.call("sendMessage", POST, "/rooms/" + room + "/messages", null, new JsonObject().put("body", "x")).problem(401, "UNAUTHORIZED");

    JsonObject page = api.call("listMessages", GET, "/rooms/" + room + "/messages", t(member), null).expect(200).json();
    assertEquals(1, page.getJsonArray("items").size());
    assertEquals(sent, page.getJsonArray("items").getJsonObject(0));
    api.call("listMessages", GET, "/rooms/" + room + "/messages", t(outsider), null).problem(403, "FORBIDDEN");
    api.call("listMessages", GET, "/rooms/" + privateRoom + "/messages", t(outsider), null).problem(404, "NOT_FOUND");
    api.call("listMessages", GET, "/rooms/" + room + "/messages?before_seq=-3", t(member), null).problem(400, "VALIDATION_FAILED");
    api.call("listMessages", GET, "/rooms/" + room + "/messages", null, null).problem(401, "UNAUTHORIZED");

    long msg = sent.getLong("id");
    JsonObject edited = api.call("editMessage", PATCH, "/messages/" + msg, t(author), new JsonObject().put("body", "edited")).expect(200).json();
    assertEquals("edited", edited.getString("body"));
    assertEquals(sent.getLong("seq"), edited.getLong("seq"), "a message keeps its seq");
    assertTrue(edited.getString("edited_at") != null);
    api.call("editMessage", PATCH, "/messages/" + msg, t(member), new JsonObject().put("body", "hijack")).problem(403, "FORBIDDEN");
    api.call("editMessage", PATCH, "/messages/" + msg, t(outsider), new JsonObject().put("body", "hijack")).problem(403, "FORBIDDEN");
    api.call("editMessage", PATCH, "/messages/999999999", t(author), new JsonObject().put("body", "x")).problem(404, "NOT_FOUND");
    api.call("editMessage", PATCH, "/messages/" + msg, t(author), new JsonObject()).problem(400, "VALIDATION_FAILED");
    api.call("editMessage", PATCH, "/messages/" + msg, null, new JsonObject().put("body", "x")).problem(401, "UNAUTHORIZED");

    api.call("deleteMessage", DELETE, "/messages/" + msg, t(member), null).problem(403, "FORBIDDEN");
    api.call("deleteMessage", DELETE, "/messages/abc", t(author), null).problem(400, "VALIDATION_FAILED");
    api.call("deleteMessage", DELETE, "/messages/" + msg, null, null).problem(401, "UNAUTHORIZED");
    api.call("deleteMessage", DELETE, "/messages/" + msg, t(author), null).expect(204);
    api.call("deleteMessage", DELETE, "/messages/" + msg, t(author), null).problem(404, "NOT_FOUND");
    api.call("editMessage", PATCH, "/messages/" + msg, t(author), new JsonObject().put("body", "back")).problem(404, "NOT_FOUND");
    JsonObject tomb = api.history(member, room, "").getJsonArray("items").getJsonObject(0);
    assertTrue(tomb.getBoolean("deleted"));
    assertNull(tomb.getString("body"));

    // a private room's message is invisible to outsiders
    long hidden = api.send(author, privateRoom, "secret").getLong("id");
    api.call("editMessage", PATCH, "/messages/" + hidden, t(outsider), new JsonObject().put("body", "x")).problem(404, "NOT_FOUND");
    api.call("deleteMessage", DELETE, "/messages/" + hidden, t(outsider), null).problem(404, "NOT_FOUND");
  }

  @Test
  @DisplayName("billing: plans, subscription, usage, checkout through the Stripe simulator, portal, webhook")
  void billing() {
    io.parley.billing.BillingContractCases.exercise(api, cluster);
  }

  @Test
  @DisplayName("outside the contract: unknown paths, methods and media types get problem+json; health, metrics, contract and Swagger UI are served")
  void aroundTheContract() {
    io.vertx.ext.web.client.WebClient web = io.vertx.ext.web.client.WebClient.create(vertx);
    int port = api.port();
    var unknown = Api.await(web.get(port, "127.0.0.1", "/api/v1/nothing-here").send());
    assertEquals(404, unknown.statusCode());
    assertEquals("NOT_FOUND", unknown.bodyAsJsonObject().getString("code"));
    assertEquals("application/problem+json", unknown.getHeader("Content-Type"));
    var wrongMethod = Api.await(web.put(port, "127.0.0.1", "/api/v1/users/me").send());
    assertTrue(wrongMethod.statusCode() == 405 || wrongMethod.statusCode() == 404, "got " + wrongMethod.statusCode());
    assertEquals("application/problem+json", wrongMethod.getHeader("Content-Type"));
    var text = Api.await(web.post(port, "127.0.0.1", "/api/v1/auth/login").putHeader("Content-Type", "text/plain").sendBuffer(
        io.vertx.core.buffer.Buffer.buffer("hello")));
    assertTrue(text.statusCode() == 400 || text.statusCode() == 415, "got " + text.statusCode());
    assertEquals("application/problem+json", text.getHeader("Content-Type"));

    assertEquals(200, Api.await(web.get(port, "127.0.0.1", "/health/live").send()).statusCode());
    var ready = Api.await(web.get(port, "127.0.0.1", "/health/ready").send());
    assertEquals(200, ready.statusCode());
    assertEquals("UP", ready.bodyAsJsonObject().getJsonObject("checks").getString("database"));
    var metrics = Api.await(web.get(port, "127.0.0.1", "/metrics").send());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.getHeader("Content-Type").startsWith("text/plain; version=0.0.4"), metrics.getHeader("Content-Type"));
    assertTrue(metrics.bodyAsString().contains("parley_messages_stored_total"));
    var yaml = Api.await(web.get(port, "127.0.0.1", "/openapi.yaml").send());
    assertEquals(200, yaml.statusCode());
    assertTrue(yaml.bodyAsString().contains("operationId: sendMessage"));
    var docs = Api.await(web.get(port, "127.0.0.1", "/docs/").send());
    assertEquals(200, docs.statusCode());
    assertTrue(docs.bodyAsString().contains("swagger-ui"));
    var init = Api.await(web.get(port, "127.0.0.1", "/docs/swagger-initializer.js").send());
    assertTrue(init.bodyAsString().contains("/openapi.yaml"));
    var requestId = Api.await(web.get(port, "127.0.0.1", "/health/live").putHeader("X-Request-Id", "trace-123").send());
    assertEquals("trace-123", requestId.getHeader("X-Request-Id"));
  }

  @org.junit.jupiter.api.Order(1)
  @AfterAll
  @DisplayName("every operation and every status it declares was exercised")
  void everyOperationAndStatusExercised() {
    JsonObject paths = Api.await(io.parley.api.Contract.raw(vertx)).getJsonObject("paths");
    TreeSet<String> declared = new TreeSet<>();
    TreeSet<String> shared = new TreeSet<>(); // answered for any operation: ContractFuzzTest's part, or not provoked
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : List.of("get", "post", "put", "patch", "delete")) {
        JsonObject op = item.getJsonObject(method);
        if (op != null) {
          JsonObject responses = op.getJsonObject("responses");
          for (String status : responses.fieldNames()) {
            String ref = responses.getJsonObject(status).getString("$ref", "");
            String name = ref.substring(ref.lastIndexOf('/') + 1);
            boolean edge = Api.EDGE_RESPONSES.contains(name) || Api.SERVER_FAILURES.contains(name)
                || Api.LIMIT_RESPONSES.contains(name);
            (edge ? shared : declared).add(op.getString("operationId") + " " + status);
          }
        }
      }
    }
    TreeSet<String> missing = declared.stream().filter(d -> !api.exercised().contains(d)).collect(Collectors.toCollection(TreeSet::new));
    TreeSet<String> undeclared = api.exercised().stream().filter(e -> !declared.contains(e) && !shared.contains(e))
        .collect(Collectors.toCollection(TreeSet::new));
    assertTrue(missing.isEmpty(), "declared but never exercised: " + missing);
    assertTrue(undeclared.isEmpty(), "answered but not declared: " + undeclared);
    assertTrue(Stream.of("register", "sendMessage", "deleteMessage").allMatch(op -> declared.stream().anyMatch(d -> d.startsWith(op + " "))));
  }
}
