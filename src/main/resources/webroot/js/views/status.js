// The connection badge (#conn-status): connecting, connected, reconnecting or offline.
import { $ } from '../dom.js';
import * as store from '../state.js';

function render() {
  const badge = $('#conn-status');
  badge.textContent = store.state.connection;
  badge.className = `status ${store.state.connection}`;
}

export function mount() {
  store.on('connection', render);
}
