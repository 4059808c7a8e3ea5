// Parley's web client, booted. Plain ES modules, no build step; everything a user typed or
// another user wrote is rendered as text (textContent), never as HTML. This file only wires:
//   state.js    the store: what the client knows, and the one place server events change it
//   session.js  the traffic with the server (api.js over HTTP, socket.js over the WebSocket)
//   views/*.js  one module per screen or part of one, drawing from the store
// It mounts the views, reads what the page was opened for, and shows that screen.
import * as accountLost from './account-lost.js';
import * as assistant from './assistant.js';
import * as session from './session.js';
import * as store from './state.js';
import * as billing from './billing-session.js';
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

/**
 * Reads what the page was opened for: a mailed link (#reset, #invite), the mailbox, the billing
 * view (#billing, and #billing?checkout=… back from Checkout), the profile, the admin area (#admin
 * and its tabs, #admin/…), a verification result.
 */
function route() {
  const params = new URLSearchParams(location.search);
  if (params.has('email_verified')) {
    if (params.get('email_verified') === '1') notices.showNotice('Your e-mail address is verified. You can send messages now.');
    else notices.showError(`E-mail not verified: ${TOKEN_REASONS[params.get('reason')] || params.get('reason')}`);
    history.replaceState(null, '', '/');
  }
  const hash = location.hash.replace(/^#/, '');
  const [name, query] = hash.split('?');
  if (name === 'mailbox') return { view: 'mailbox' };
  if (name === 'billing') return { view: 'app', billing: new URLSearchParams(query), profile: false };
  if (name === 'profile') return { view: 'app', billing: null, profile: true };
  if (name === 'admin' || name.startsWith('admin/')) { // #admin/users/42, #admin/payments?user_id=42…
    return { view: 'app', billing: null, profile: false, admin: { path: name.slice('admin'.length), query: new URLSearchParams(query) } };
  }
  if (name === 'reset' || name === 'invite') return { view: 'token', kind: name, token: new URLSearchParams(query).get('token') };
  return { view: 'app', billing: null, profile: false };
}

/** The chat screen: who we are, our plan, our rooms, who of our peers is online, then the live connection. */
async function showChat() {
  showScreen('chat-view');
  account.render();
  billing.start();
  assistant.load();
  await session.loadRooms();
  session.loadPresence();
  session.startSocket();
}

async function start() {
  const where = route();
  if (where.view === 'mailbox') return mailbox.showMailbox();
  if (where.view === 'token') return showTokenForm(where.kind, where.token);
  if (session.started() && api.accessToken) showScreen('chat-view'); // back from another view
  else if (api.accessToken || await api.refresh()) await showChat();
  else {
    if (accountLost.isDisabled(api.refreshError)) notices.showNotice(accountLost.DISABLED_TEXT);
    return showAuth();
  }
  billingView.show(where.billing); // the billing view, the profile or the admin area in place of the room, or the room
  profileView.show(where.profile);
  return adminView.show(where.admin || null);
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
  onNotificationClick((roomId) => session.openRoom(roomId));
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
  if (why) {
    accountLost.remember(why);
    await api.logout(); // drops the refresh cookie (the server revoked its token already)
  }
  location.reload(); // a clean page: nothing of this session stays in memory
}

async function main() {
  store.setIdentity(() => api.user);
  mountViews();
  window.addEventListener('hashchange', () => start());
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
