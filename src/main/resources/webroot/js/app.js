// Parley's web client, booted. Plain ES modules, no build step; everything a user typed or
// another user wrote is rendered as text (textContent), never as HTML. This file only wires:
//   state.js    the store: what the client knows, and the one place server events change it
//   session.js  the traffic with the server (api.js over HTTP, socket.js over the WebSocket)
//   router.js   the page's address: what it names, and Back/Forward between rooms and views
//   views/*.js  one module per screen or part of one, drawing from the store
// It mounts the views, and shows what the address names whenever it changes.
import * as accountLost from './account-lost.js';
import * as assistant from './assistant.js';
import * as session from './session.js';
import * as store from './state.js';
import * as billing from './billing-session.js';
import * as navigation from './navigation.js';
import * as outbox from './outbox.js';
import * as router from './router.js';
import { showScreen } from './dom.js';
import * as account from './views/account.js';
import * as adminView from './views/admin.js';
import * as assistantEntry from './views/assistant-entry.js';
import * as assistantNotice from './views/assistant-notice.js';
import { mount as mountAuth, showAuth } from './views/auth.js';
import * as billingView from './views/billing.js';
import * as composerMedia from './views/composer-media.js';
import * as limitBanner from './views/limit-banner.js';
import * as mailbox from './views/mailbox.js';
import * as members from './views/members.js';
import * as membershipNotice from './views/membership-notice.js';
import * as messages from './views/messages.js';
import * as notices from './views/notices.js';
import * as notifySettings from './views/notify-settings.js';
import * as unreadLine from './views/unread-line.js';
import * as mentionComplete from './views/mention-complete.js';
import * as announcer from './views/announcer.js';
import { setOpener as onNotificationClick } from './notify.js';
import * as panels from './views/panels.js';
import { showTokenForm, TOKEN_REASONS } from './views/password.js';
import * as planLine from './views/plan-line.js';
import * as profileView from './views/profile.js';
import * as roomList from './views/room-list.js';
import * as room from './views/room.js';
import * as searchView from './views/search.js';
import * as status from './views/status.js';

const { api } = session;

/** Back from the verification link (/?email_verified=…): says how it went, then the bare address. */
function verificationResult() {
  const params = new URLSearchParams(location.search);
  if (!params.has('email_verified')) return;
  if (params.get('email_verified') === '1') notices.showNotice('Your e-mail address is verified. You can send messages now.');
  else notices.showError(`E-mail not verified: ${TOKEN_REASONS[params.get('reason')] || params.get('reason')}`);
  router.replace(location.hash);
}

/** The chat screen: who we are, our plan, our rooms (with what this tab had not sent), who of our peers is online, then the live connection. */
async function startChat() {
  showScreen('chat-view');
  account.render();
  billing.start();
  assistant.load();
  await session.loadRooms();
  outbox.restore();
  session.loadPresence();
  session.startSocket();
}

let chat = null; // the chat's start in this page, once (an address changed meanwhile waits for it)
function showChat() {
  if (!chat) chat = startChat().catch((e) => { chat = null; throw e; });
  return chat;
}

/** Shows what the address names (router.js): called at start, after signing in, and on every change of it. */
async function start() {
  verificationResult();
  const hash = location.hash;
  const where = router.current();
  if (where.view === 'mailbox') return mailbox.showMailbox();
  if (where.view === 'token') return showTokenForm(where.kind, where.token);
  if (session.started() && api.accessToken) showScreen('chat-view'); // back from another view
  else if (api.accessToken || await api.refresh()) await showChat();
  else {
    if (accountLost.isDisabled(api.refreshError)) notices.showNotice(accountLost.DISABLED_TEXT);
    return showAuth();
  }
  if (location.hash !== hash) return undefined; // the address changed meanwhile: its own start shows it
  billingView.show(where.billing); // the billing view, the profile or the admin area in place of the room, or the room
  profileView.show(where.profile);
  adminView.show(where.admin);
  return navigation.showRoom(where);
}

function mountViews() {
  notices.mount();
  mountAuth({ onSignedIn: start }); // then what the page was opened for (e.g. #billing)
  account.mount();
  status.mount();
  assistantEntry.mount();
  roomList.mount();
  panels.mount();
  searchView.mount();
  room.mount();
  messages.mount();
  members.mount();
  membershipNotice.mount();
  planLine.mount();
  limitBanner.mount();
  assistantNotice.mount();
  billingView.mount();
  composerMedia.mount();
  profileView.mount();
  adminView.mount();
  notifySettings.mount();
  unreadLine.mount();
  mentionComplete.mount();
  announcer.mount();
  onNotificationClick((roomId) => router.go(router.roomHash(roomId))); // a notification's click opens its room
}

/**
 * The session is over (refused, the account disabled, or ended by a new password): a clean page
 * on the login screen, saying `why` when given.
 */
let signingOut = false;
async function signOut(why) {
  if (signingOut) return;
  signingOut = true;
  session.stopSocket();
  outbox.forget(); // what this tab kept of the session (drafts, unsent messages, the last room)
  router.forget();
  if (why) {
    accountLost.remember(why);
    await api.logout(); // drops the refresh cookie (the server revoked its token already)
  }
  location.reload(); // a clean page: nothing of this session stays in memory
}

async function main() {
  store.setIdentity(() => api.user);
  mountViews();
  router.listen(start); // every change of the address: a link, Back, Forward, an opened room
  api.onAuthLost = () => signOut(accountLost.isDisabled(api.refreshError) ? accountLost.DISABLED_TEXT : null);
  store.on('account.disabled', () => signOut(accountLost.DISABLED_TEXT)); // the gateway closed our socket with 4403
  store.on('session.ended', () => signOut(accountLost.PASSWORD_CHANGED_TEXT)); // ... with 4410
  const why = accountLost.take(); // the page before this one was signed out, and said why
  if (why) notices.showNotice(why);
  try {
    await session.loadConfig();
  } catch (e) {
    notices.showError(e);
    return;
  }
  mailbox.offerIfAvailable(); // the development mailbox, where the server runs its SMTP sink
  await start();
}

main();
