package io.parley.bus;

/**
 * The event-bus address catalogue: every address Parley uses, in one place.
 *
 * <p>Request/reply addresses take a JSON object and answer a JSON object (or fail with an
 * {@link ErrorCode} number and a {@link ParleyException#toJson()} body). Message formats are
 * documented in {@code docs/event-bus.md}. Every request carries the header
 * {@value #HEADER_REQUEST_ID}; calls made on behalf of a user carry {@code user_id} in the body.
 */
public final class Addresses {
  private Addresses() {}

  /** Header carrying the request id across the bus, for logs. */
  public static final String HEADER_REQUEST_ID = "x-request-id";

  private static final String P = "parley.persistence.";

  // accounts
  public static final String USERS_CREATE = P + "users.create";
  public static final String USERS_CREDENTIALS = P + "users.credentials";
  public static final String USERS_GET = P + "users.get";
  public static final String USERS_SEARCH = P + "users.search";
  /** {user_id, user_ids} → {user_ids}: those of the ids who share a room with the user (presence is visible to them). */
  public static final String USERS_SHARING_ROOM = P + "users.sharing-room";
  public static final String TOKENS_ISSUE = P + "tokens.issue";
  public static final String TOKENS_ROTATE = P + "tokens.rotate";
  public static final String TOKENS_REVOKE = P + "tokens.revoke";

  public static final String USERS_UPDATE = P + "users.update";
  public static final String USERS_INVITE = P + "users.invite";
  public static final String USERS_SET_PASSWORD = P + "users.set-password";
  /** Starts e-mail verification again: a new token and mail. */
  public static final String VERIFICATION_RESEND = P + "verification.resend";
  /** Starts a password reset when the e-mail belongs to an active account (answers alike otherwise). */
  public static final String PASSWORD_FORGOT = P + "password.forgot";
  /** Uses a mailed token: verify_email, reset_password or invite. */
  public static final String TOKENS_USE = P + "tokens.use";

  // read markers and unread counts
  /** Moves a member's read marker forward: {user_id, room_id, seq} → {room_id, last_read_seq, unread_count}. */
  public static final String MEMBERS_READ = P + "members.read";
  /** {user_id} → {total, rooms: [{room_id, unread_count}]}. */
  public static final String UNREAD = P + "unread";
  /** {room_id, user_ids} → {items: [{user_id, unread_count}]} for those of the users who are members. */
  public static final String UNREAD_FOR_USERS = P + "unread.for-users";
  /** {room_id} → {user_ids: [...]}: the members of a room (the gateways' notification cache). */
  public static final String MEMBERS_IDS = P + "members.ids";
  /** {user_id} → {rooms: [{id, member_count}]}: the rooms a user is in (presence fan-out). */
  public static final String ROOMS_OF_USER = P + "rooms.of-user";

  // presence (Redis)
  /** {user_id, conn_id} → {}: a socket opened. */
  public static final String PRESENCE_CONNECT = "parley.presence.connect";
  /** {user_id, conn_id} → {}: a socket closed. */
  public static final String PRESENCE_DISCONNECT = "parley.presence.disconnect";
  /** {conns: [[user_id, conn_id], ...]} → {}: a gateway node's sockets are still there. */
  public static final String PRESENCE_HEARTBEAT = "parley.presence.heartbeat";
  /** {user_ids: [...]} → {items: [{user_id, status, last_seen}]}. */
  public static final String PRESENCE_QUERY = "parley.presence.query";
  /** {} → {ok: true} when Redis answers. */
  public static final String PRESENCE_HEALTH = "parley.presence.health";

  /**
   * Published after each committed message: {room_id, seq, message: {id, author_id, preview,
   * created_at}}. Every gateway node tells its sockets that are not subscribed to the room.
   */
  public static final String NOTIFICATIONS = "parley.notifications";

  /**
   * Published: {user_id, frame}, a frame for every socket of that user on every gateway node,
   * whatever rooms they follow ({@link UserFrames}): {@code membership.added} when someone added
   * the user to a room.
   */
  public static final String USER_FRAMES = "parley.users.frames";

  // the mail outbox (worked by the mail verticle)
  public static final String OUTBOX_CLAIM = P + "outbox.claim";
  /**
   * {sent: [{id, attempts}], failed: [{id, attempts, error, retry_in_s?}]} → {}: a claimed batch's
   * outcomes, settled in two statements (docs/event-bus.md).
   */
  public static final String OUTBOX_SETTLE = P + "outbox.settle";
  /** {} → {pending, failed}: mail not sent yet (pending or being sent) and mail given up on (metrics). */
  public static final String OUTBOX_STATS = P + "outbox.stats";

  /** Published after a commit that added mail to the outbox, so it goes out at once. */
  public static final String MAIL_OUTBOX_READY = "parley.mail.outbox-ready";
  /** The development SMTP sink's received mail (only when the mail verticle runs the sink). */
  public static final String MAIL_DEV_MAILBOX = "parley.mail.dev-mailbox";

  // rooms and members
  public static final String ROOMS_CREATE = P + "rooms.create";
  public static final String ROOMS_LIST_MINE = P + "rooms.list-mine";
  public static final String ROOMS_LIST_PUBLIC = P + "rooms.list-public";
  public static final String ROOMS_GET = P + "rooms.get";
  public static final String ROOMS_UPDATE = P + "rooms.update";
  public static final String ROOMS_DELETE = P + "rooms.delete";
  public static final String ROOMS_JOIN = P + "rooms.join";
  public static final String ROOMS_LEAVE = P + "rooms.leave";
  public static final String MEMBERS_LIST = P + "members.list";
  public static final String MEMBERS_ADD = P + "members.add";
  public static final String MEMBERS_REMOVE = P + "members.remove";
  public static final String CONVERSATIONS_OPEN = P + "conversations.open";

  // messages and the room event stream
  public static final String MESSAGES_SEND = P + "messages.send";
  public static final String MESSAGES_EDIT = P + "messages.edit";
  public static final String MESSAGES_DELETE = P + "messages.delete";
  public static final String MESSAGES_HISTORY = P + "messages.history";
  /**
   * Full-text search: {user_id, q, room_id?, limit, before?} → {items: [{room_id, room_name,
   * message_id, seq, author_id, created_at, snippet}], next_before}: live messages of the user's
   * rooms, newest first; {@code snippet} is HTML with only {@code <mark>} tags.
   */
  public static final String SEARCH_MESSAGES = P + "search.messages";
  /** Replay of a room's event stream after a seq, for (re)subscribing sockets and gap repair. */
  public static final String EVENTS_SINCE = P + "events.since";
  /**
   * The heads of many rooms' streams, for the gateway's tail check: {room_ids: [id...]} (at most
   * {@value #EVENTS_HEADS_MAX} ids) → {heads: {"&lt;room id&gt;": last_seq}}; rooms that are gone
   * are left out. VALIDATION_FAILED for a missing or too long list or an id that is not a number.
   */
  public static final String EVENTS_HEADS = P + "events.heads";
  /** Most rooms one {@link #EVENTS_HEADS} request may name. */
  public static final int EVENTS_HEADS_MAX = 1000;

  // administration (every change audited in its transaction)
  /** {user_id} → Me: makes a user whose verified e-mail is in auth.admin_emails an admin (audited, actor null); unchanged otherwise. */
  public static final String ADMIN_BOOTSTRAP = P + "admin.bootstrap";
  /** {actor_id, user_id, status?, role?, ip?, request_id?} → Me: an admin changes a user; disabling revokes every refresh token. */
  public static final String ADMIN_USER_UPDATE = P + "admin.user-update";
  /** {before?, limit, actor_id?, action?, target_type?, target_id?} → {items, next_before}: the audit log, newest first. */
  public static final String ADMIN_AUDIT = P + "admin.audit";
  /** {cursor?, limit, q?, status?, role?, plan?, verified?} → {items: [Me + plan_code], next_cursor}: people, by id. */
  public static final String ADMIN_USERS = P + "admin.users";
  /** {user_id} → {user, rooms, today, payments}: one person, for the admin's user page. */
  public static final String ADMIN_USER = P + "admin.user";
  /** {} → {items: [Plan + active]}; {actor_id, code, name?, price_cents?, daily_message_limit?, daily_assistant_limit?, active?, stripe_price_id?, ip?, request_id?} → Plan (audited). */
  public static final String ADMIN_PLANS = P + "admin.plans";
  public static final String ADMIN_PLAN_UPDATE = P + "admin.plan-update";
  /**
   * {actor_id, code, name, price_cents?, currency?, interval_days?, daily_message_limit?,
   * daily_assistant_limit?, stripe_price_id?, active?, ip?, request_id?} → Plan (audited);
   * CONFLICT when the code or the Stripe price id is taken.
   */
  public static final String ADMIN_PLAN_CREATE = P + "admin.plan-create";
  /** {before?, limit, user_id?, status?, from?, to?} → {items, next_before}: payments, newest first. */
  public static final String ADMIN_PAYMENTS = P + "admin.payments";
  /** {days} → {items: [{day, messages, assistant_replies}]}, newest first. */
  public static final String ADMIN_USAGE = P + "admin.usage";
  /** {cursor?, limit} → {items: [{id, name, is_private, owner_id, created_at, member_count, message_count}], next_cursor}. */
  public static final String ADMIN_ROOMS = P + "admin.rooms";
  /** Published: {user_id} of a user just disabled; every gateway closes their sockets (4403). */
  public static final String USERS_DISABLED = "parley.users.disabled";
  /**
   * Published after a password was set (changed, reset, or chosen from an invitation): {user_id,
   * reason, keep_session?}; every gateway closes that user's sockets (4410), except those opened
   * with an access token of {@code keep_session} (the session that changed it).
   */
  public static final String USERS_SESSIONS_ENDED = "parley.users.sessions-ended";

  // the assistant
  /** {room_id, body, stream_id, status?} → {message, seq}: stores a reply of the assistant (its bot user), after its deltas. */
  public static final String ASSISTANT_REPLY = P + "assistant.reply";
  /** {user_id} → {taken, limit, used_today}: takes one of the user's daily assistant replies when their plan allows. */
  public static final String ASSISTANT_TAKE = P + "assistant.take";
  /** {} → {user_id, username}: the assistant's bot user. */
  public static final String ASSISTANT_BOT = P + "assistant.bot";
  /**
   * Point to point (one consumer in the cluster takes each): {message} of a message stored in a
   * room the bot is in, by someone else; the assistant decides whether to answer.
   */
  public static final String ASSISTANT_INBOX = "parley.assistant.inbox";
  /** Published to every assistant: {room_id, stream_id, user_id}: stop that reply (the one streaming it stops). */
  public static final String ASSISTANT_CANCEL = "parley.assistant.cancel";
  /** {user_id} → the user's conversation with the assistant (as conversations.open); ASSISTANT_NOT_CONFIGURED when off. */
  public static final String ASSISTANT_CONVERSATION = "parley.assistant.conversation";
  /** {} → {configured, user_id, username, model}. */
  public static final String ASSISTANT_STATUS = "parley.assistant.status";

  // attachments and avatars (descriptions in PostgreSQL; bytes in media storage, handled by the API node)
  /** {user_id, kind, content_type, size, name, width?, height?, duration_ms?, thumbnail_type?} → Attachment description with id (unattached). */
  public static final String ATTACHMENTS_CREATE = P + "attachments.create";
  /** {id} → the description of an upload that failed to store its bytes, removed again → {}. */
  public static final String ATTACHMENTS_DISCARD = P + "attachments.discard";
  /** {id, user_id?} → {attachment (description), thumbnail_type}: readable by the user (without user_id: not removed); NOT_FOUND otherwise. */
  public static final String ATTACHMENTS_GET = P + "attachments.get";
  /** {older_than_s, limit} → {ids: [...]}: unattached uploads older than that, and those of deleted messages, removed (their bytes are the caller's to delete). */
  public static final String ATTACHMENTS_SWEEP = P + "attachments.sweep";
  /** {user_id, attachment_id?} → Me: sets (an image of the user's, not in a message) or, without attachment_id, clears the avatar. */
  public static final String AVATAR_SET = P + "avatar.set";
  /** {user_id, attachment_id} → {thumbnail_type}: whether that is the user's avatar now; NOT_FOUND otherwise. */
  public static final String AVATAR_GET = P + "avatar.get";

  // billing: plans, subscriptions, usage, Stripe (persistence/billing stores; the billing verticle)
  /** {} → {items: [plan]}: the active plans, cheapest first. */
  public static final String BILLING_PLANS = P + "billing.plans";
  /** {code} → plan: an active plan; NOT_FOUND (details.field plan_code) otherwise. */
  public static final String BILLING_PLAN = P + "billing.plan";
  /** {user_id} → {plan, status, current_period_end, cancel_at_period_end}: the plan in force (free, status none, without one). */
  public static final String BILLING_SUBSCRIPTION = P + "billing.subscription";
  /** {user_id} → {date, messages_sent, daily_message_limit, remaining, resets_at}: today's (UTC) usage. */
  public static final String BILLING_USAGE = P + "billing.usage";
  /** {user_id} → {email, customer_id}: the user's Stripe customer, customer_id null when none yet. */
  public static final String BILLING_CUSTOMER_GET = P + "billing.customer.get";
  /** {user_id, customer_id} → {customer_id}: stores a user's customer once; answers the one stored. */
  public static final String BILLING_CUSTOMER_SAVE = P + "billing.customer.save";
  /** {session_id, user_id, plan_code} → {}: records a checkout session just created (status open). */
  public static final String BILLING_CHECKOUT_SAVE = P + "billing.checkout.save";
  /** {session_id, user_id?} → {session_id, status, plan_code, user_id, plan}; NOT_FOUND when not the user's. */
  public static final String BILLING_CHECKOUT_GET = P + "billing.checkout.get";
  /** A verified, normalized webhook event → {applied}: applied once per event id, in one transaction with its effect. */
  public static final String BILLING_EVENT_APPLY = P + "billing.events.apply";

  /** {user_id, plan_code} → {checkout_url, session_id}: a Stripe Checkout Session (subscription mode). */
  public static final String BILLING_CHECKOUT = "parley.billing.checkout";
  /** {user_id} → {portal_url}: a Stripe customer portal session. */
  public static final String BILLING_PORTAL = "parley.billing.portal";
  /** {payload, signature} → {received: true, applied}: a webhook request, its raw body as a string; VALIDATION_FAILED when unsigned. */
  public static final String BILLING_WEBHOOK = "parley.billing.webhook";
  /** Simulator only: {session_id} → {session_id, status, plan, success_url, cancel_url}: what the dev checkout page shows. */
  public static final String BILLING_DEV_CHECKOUT = "parley.billing.dev.checkout";
  /** Simulator only: {session_id} → {session_id, status}: pays a session; its signed events go to the webhook. */
  public static final String BILLING_DEV_COMPLETE = "parley.billing.dev.complete";
  /** Simulator only: {customer_id, dry_run?} → {canceled}: cancels the customer's subscriptions at the period end (signed updates); dry_run only counts. */
  public static final String BILLING_DEV_CANCEL = "parley.billing.dev.cancel";

  /**
   * Node-local (a local consumer; request it with {@code DeliveryOptions.setLocalOnly(true)}): the
   * gateway of this node, {} → {sockets, slow_closes, accept_failures, accept_failing,
   * pending_bytes}. No handler: the node runs no gateway.
   */
  public static final String GATEWAY_HEALTH = "parley.gateway.health";

  /** Answers {@code {"ok": true}} when the database answers. */
  public static final String PERSISTENCE_HEALTH = P + "health";

  /** Prefix of the per-room fan-out addresses (publish only); see {@link #room(long)}. */
  public static final String ROOM_PREFIX = "parley.rooms.";

  /**
   * The fan-out address of one room. Bodies are the encoded JSON event frame (a
   * {@link io.vertx.core.buffer.Buffer}) with headers {@code seq}, {@code type} and, for member
   * events, {@code user_id}.
   */
  public static String room(long roomId) {
    // ephemeral events (typing, read, presence) carry the header ephemeral=1 and no seq
    return ROOM_PREFIX + roomId;
  }
}
