// The banner over the composer (#limit-banner) after a send was refused over the daily message
// limit: the server's words, when the limit resets (in the reader's time), and an Upgrade button
// to the billing view. It goes away once sending is possible again (an upgrade, a new day) or
// when dismissed; the refused message stays in the room with a Retry button, never resent by itself.
import { $, when } from '../dom.js';
import * as billingStore from '../billing-state.js';
import * as router from '../router.js';
import * as store from '../state.js';

const { billing } = billingStore;

function render() {
  const refusal = billing.refusal;
  const banner = $('#limit-banner');
  const appeared = banner.hidden && !!refusal;
  banner.hidden = !refusal;
  if (!refusal) return;
  if (appeared) $('#messages').scrollTop = $('#messages').scrollHeight; // the refused message stays in view
  const limit = refusal.limit !== null ? ` You can send ${refusal.limit} messages a day on your plan.` : '';
  const reset = refusal.resetsAt ? ` Sending resumes ${when(refusal.resetsAt)}.` : '';
  $('#limit-text').textContent = `${refusal.message}${limit}${reset}`;
  $('#limit-upgrade').hidden = !billingStore.canUpgrade();
}

export function mount() {
  store.on('billing', render);
  $('#limit-upgrade').addEventListener('click', () => router.go('#billing'));
  $('#limit-dismiss').addEventListener('click', () => billingStore.refusalDismissed());
}
