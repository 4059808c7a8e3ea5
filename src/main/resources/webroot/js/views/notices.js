// The toast (what failed, in words) and the notice line (what went well), over every screen;
// errors the store reports are shown here too.
import { ApiError } from '../api.js';
import { $ } from '../dom.js';
import * as store from '../state.js';

let toastTimer = null;
export function showError(err) {
  const msg = err instanceof ApiError || err instanceof Error ? err.message
    : (err && (err.message || err.detail)) || String(err);
  const toast = $('#toast');
  toast.textContent = msg;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 8000);
}

let noticeTimer = null;
export function showNotice(text) {
  const notice = $('#notice');
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.hidden = true; }, 10000);
}

export function mount() {
  store.on('error', showError);
}
