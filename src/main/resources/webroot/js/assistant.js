// The assistant's traffic with the server (docs/websocket-protocol.md §13): who it is and whether
// it is on (GET /assistant), our conversation with it (POST /assistant/conversation, made on first
// use) and stopping a reply it writes (`assistant.cancel`). The store's part is assistant-state.js.
import * as assistantStore from './assistant-state.js';
import * as session from './session.js';
import * as store from './state.js';

const { api } = session;

/** Learns whether the assistant is on here; without an answer the sidebar offers nothing. */
export async function load() {
  try {
    assistantStore.infoLoaded(await api.get('/assistant'));
  } catch (e) {
    // a server without the assistant: no entry
  }
}

/** Opens our conversation with the assistant (made now if new); when it is off, says so. */
export async function openConversation() {
  try {
    const room = await api.post('/assistant/conversation');
    if (store.state.rooms.has(room.id)) await session.openRoom(room.id);
    else await session.enterRoom(room);
  } catch (e) {
    if (e.code !== 'ASSISTANT_NOT_CONFIGURED') {
      store.reportError(e);
      return;
    }
    assistantStore.foundOff();
    const known = assistantStore.conversation(); // its history stays readable
    if (known) await session.openRoom(known.id);
  }
}

/** Asks the server to stop a reply (the text as it stands is stored, status cancelled). */
export async function stop(roomId, streamId) {
  assistantStore.stopping(roomId, streamId);
  try {
    await session.request({ type: 'assistant.cancel', room_id: roomId, stream_id: streamId });
  } catch (e) {
    assistantStore.stopping(roomId, streamId, false);
    store.reportError(e);
  }
}
