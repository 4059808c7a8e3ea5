// The plan line under our name in the sidebar (#plan-line): the plan and today's usage ("7 of 10
// messages today", or "Pro · unlimited"), kept current from the store's billing part, and a link
// to the billing view ("Upgrade" while a bigger plan exists, else "Plan").
import { $ } from '../dom.js';
import * as billingStore from '../billing-state.js';
import * as store from '../state.js';

const { billing } = billingStore;

/** "7 of 10 messages today", "unlimited", or '' before the usage is known. */
export function usageText(usage) {
  if (!usage) return '';
  if (usage.daily_message_limit === null || usage.daily_message_limit === undefined) return 'unlimited';
  return `${usage.messages_sent} of ${usage.daily_message_limit} message${usage.daily_message_limit === 1 ? '' : 's'} today`;
}

function render() {
  const usage = billing.usage;
  const plan = billingStore.currentPlan();
  const line = $('#plan-line');
  line.hidden = !usage && !plan;
  if (line.hidden) return;
  $('#plan-name').textContent = plan ? plan.name : 'Your plan';
  const text = $('#usage');
  text.textContent = usageText(usage);
  text.title = usage && usage.daily_message_limit === null ? `${usage.messages_sent} sent today` : '';
  text.classList.toggle('exhausted', !!usage && usage.remaining === 0);
  $('#plan-link').textContent = billingStore.canUpgrade() ? 'Upgrade' : 'Plan';
}

export function mount() {
  store.on('billing', render);
}
