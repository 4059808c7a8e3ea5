// The admin area's audit log (#admin/audit): newest first, More for older rows; each row says
// when, who, what, on whom, and what changed ("status: active → disabled"). The user page shows
// the rows about one person with the same auditRow. Values are text, never HTML: audit values
// are typed by people.
import { $, el, time } from '../dom.js';
import * as adminData from '../admin.js';
import * as store from '../state.js';

const { admin } = adminData;

export function show() {
  adminData.loadAudit();
}

export function mount() {
  store.on('admin.audit', render);
  $('#admin-audit-more').addEventListener('click', () => adminData.loadAudit(true));
}

function render() {
  const body = $('#admin-audit');
  body.replaceChildren(...admin.audit.map(auditRow));
  if (!admin.audit.length) body.append(el('tr', { class: 'empty' }, el('td', { colspan: 5 }, 'Nothing yet')));
  $('#admin-audit-more').hidden = !admin.auditBefore;
}

/** When something happened: the date and the time, the exact moment as a tooltip. */
export function stamp(iso) {
  return el('time', { datetime: iso, title: iso }, `${new Date(iso).toLocaleDateString()} ${time(iso)}`);
}

export function auditRow(row) {
  const target = row.target_type === 'user' ? adminData.nameOf(row.target_id)
    : `${row.target_type}${row.target_id === null ? '' : ` #${row.target_id}`}`;
  return el('tr', { 'data-testid': 'audit-row', dataset: { id: row.id, action: row.action } },
    el('td', {}, stamp(row.at)),
    el('td', { 'data-testid': 'audit-actor' }, adminData.nameOf(row.actor_id)),
    el('td', { 'data-testid': 'audit-action' }, row.action),
    el('td', { 'data-testid': 'audit-target' }, target),
    el('td', { 'data-testid': 'audit-change', class: 'change' }, change(row.before, row.after)));
}

/** before → after: of an update, each field that changed ("status: active → disabled"); else each side whole. */
function change(before, after) {
  const value = (v) => (v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  const whole = (obj) => (obj ? Object.entries(obj).map(([k, v]) => `${k}: ${value(v)}`).join(', ') || '—' : '—');
  if (!before || !after) return `${whole(before)} → ${whole(after)}`;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return keys.map((k) => `${k}: ${value(before[k])} → ${value(after[k])}`).join(', ') || 'no change';
}
