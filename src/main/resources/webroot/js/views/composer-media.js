// The composer's media: the attach button (a file input, several files at once), images pasted
// from the clipboard and files dropped onto the room, each shown as a chip above the composer
// with its upload progress and a Cancel (or Remove) button, or the server's words when it failed;
// and the voice recorder: click to record (a running timer and a Cancel button), click again to
// stop, and the recording is uploaded and sent as a message of its own. Sending the text takes
// the finished uploads along (views/room.js asks uploads.js for them).
import { $, clock, el, size } from '../dom.js';
import { Recording, supported as canRecord } from '../recorder.js';
import * as store from '../state.js';
import * as uploads from '../uploads.js';
import { showError } from './notices.js';

const { state } = store;

/** A voice message stops by itself after this long (and stays well under the upload limit). */
const MAX_RECORDING_MS = 10 * 60000;

export function mount() {
  store.on('uploads', (roomId) => { if (roomId === state.current) renderChips(); });
  store.on('room', () => { cancelRecording(); renderChips(); });
  const input = $('#attach-input');
  input.addEventListener('change', () => {
    attach(input.files);
    input.value = ''; // the same file may be picked again
  });
  $('#composer textarea').addEventListener('paste', onPaste);
  bindDrop($('#room'));
  $('#record').hidden = !canRecord();
  $('#record').addEventListener('click', toggleRecording);
  $('#rec-cancel').addEventListener('click', cancelRecording);
}

function attach(files) {
  if (!state.current || !files || !files.length) return;
  const refused = uploads.add(state.current, files);
  if (refused) showError(refused);
}

/** Pasted images (or files copied in a file manager) become attachments; pasted text stays text. */
function onPaste(e) {
  const files = e.clipboardData ? [...e.clipboardData.files] : [];
  if (!files.length) return;
  if (!e.clipboardData.types.includes('text/plain')) e.preventDefault();
  attach(files);
}

function bindDrop(target) {
  const carriesFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  let depth = 0; // dragenter/leave fire for every child crossed
  target.addEventListener('dragenter', (e) => {
    if (!carriesFiles(e) || !state.current) return;
    depth++;
    target.classList.add('dropping');
  });
  target.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) target.classList.remove('dropping');
  });
  target.addEventListener('dragover', (e) => {
    if (!carriesFiles(e) || !state.current) return;
    e.preventDefault(); // allows the drop
    e.dataTransfer.dropEffect = 'copy';
  });
  target.addEventListener('drop', (e) => {
    depth = 0;
    target.classList.remove('dropping');
    if (!carriesFiles(e) || !state.current) return;
    e.preventDefault(); // not opened by the browser
    attach(e.dataTransfer.files);
  });
}

// ---- the chips ---------------------------------------------------------------------------------

const chips = new WeakMap(); // upload -> {li, status, progress}: updated in place, so a click on Cancel lands

function renderChips() {
  const list = $('#uploads');
  const items = state.current ? uploads.uploadsOf(state.current) : [];
  const wanted = items.map((u) => chipOf(state.current, u));
  list.hidden = !wanted.length;
  const shown = [...list.children];
  if (shown.length !== wanted.length || shown.some((li, i) => li !== wanted[i])) list.replaceChildren(...wanted);
}

function chipOf(roomId, u) {
  let chip = chips.get(u);
  if (!chip || chip.status !== u.status) {
    chip = buildChip(roomId, u);
    chips.set(u, chip);
  }
  if (chip.progress) {
    const pct = u.size ? Math.min(100, Math.round((u.sent * 100) / u.size)) : 0;
    chip.progress.value = pct;
    chip.li.dataset.progress = pct;
  }
  return chip.li;
}

function buildChip(roomId, u) {
  const label = u.voice ? 'Voice message' : u.name;
  const progress = u.status === 'uploading' ? el('progress', { max: 100, value: 0, 'aria-label': `Uploading ${label}` }) : null;
  const li = el('li', { class: `upload ${u.status}`, title: u.name, dataset: { testid: 'upload', status: u.status, uploadId: u.id } },
    el('span', { class: 'upload-name', 'data-testid': 'upload-name' }, label),
    el('small', {}, size(u.size)),
    progress,
    u.status === 'done' ? el('span', { class: 'upload-ok', 'aria-label': 'uploaded' }, '✓') : null,
    u.status === 'failed' ? el('span', { class: 'upload-error', 'data-testid': 'upload-error' }, u.error) : null,
    el('button', { type: 'button', class: 'link', 'data-testid': 'upload-cancel', 'aria-label': `${u.status === 'uploading' ? 'Cancel' : 'Remove'} ${label}`,
      onclick: () => uploads.cancel(roomId, u.id) }, u.status === 'uploading' ? 'Cancel' : 'Remove'));
  return { li, status: u.status, progress };
}

// ---- the voice recorder ------------------------------------------------------------------------

let recording = null; // {roomId, rec: Recording, timer}
let starting = false;

async function toggleRecording() {
  if (recording) {
    stopRecording();
    return;
  }
  if (starting || !state.current) return;
  starting = true;
  const roomId = state.current;
  try {
    const rec = await Recording.start();
    if (state.current !== roomId) { rec.cancel(); return; } // another room was opened meanwhile
    recording = { roomId, rec, timer: setInterval(tick, 250) };
    renderRecorder();
  } catch (e) {
    showError(e && e.name === 'NotAllowedError' ? 'Recording needs the microphone: allow it for this site.'
      : `The microphone cannot be used: ${(e && e.message) || e}`);
  } finally {
    starting = false;
  }
}

function tick() {
  if (!recording) return;
  if (recording.rec.elapsed() >= MAX_RECORDING_MS) stopRecording();
  else $('#rec-timer').textContent = clock(recording.rec.elapsed());
}

async function stopRecording() {
  const { roomId, rec, timer } = recording;
  clearInterval(timer);
  recording = null;
  renderRecorder();
  try {
    uploads.addVoice(roomId, await rec.stop());
  } catch (e) {
    showError(e);
  }
}

function cancelRecording() {
  if (!recording) return;
  clearInterval(recording.timer);
  recording.rec.cancel();
  recording = null;
  renderRecorder();
}

function renderRecorder() {
  const button = $('#record');
  button.classList.toggle('recording', !!recording);
  button.setAttribute('aria-pressed', recording ? 'true' : 'false');
  button.setAttribute('aria-label', recording ? 'Stop and send the voice message' : 'Record a voice message');
  button.title = button.getAttribute('aria-label');
  button.firstElementChild.className = `icon ${recording ? 'icon-stop' : 'icon-mic'}`;
  $('#recording').hidden = !recording;
  $('#rec-timer').textContent = clock(0);
}
