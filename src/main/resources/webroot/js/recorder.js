// Voice messages: the microphone recorded with MediaRecorder (getUserMedia) into one audio file.
// No DOM and no network: the composer (views/composer-media.js) drives a Recording, uploads.js
// sends the file it makes.

/** Whether this browser can record (MediaRecorder and getUserMedia, which need a secure origin). */
export function supported() {
  return typeof window.MediaRecorder === 'function'
    && !!(navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === 'function');
}

/** Containers to record in, the first one the browser makes wins (Chromium, Firefox: Opus; Safari: AAC). */
const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/ogg', 'audio/mp4'];
const EXTENSIONS = { 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a' };

function recordingType() {
  if (typeof MediaRecorder.isTypeSupported !== 'function') return '';
  return TYPES.find((t) => MediaRecorder.isTypeSupported(t)) || '';
}

export class Recording {
  /** Asks for the microphone and starts recording (rejects when refused or absent). */
  static async start() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    try {
      return new Recording(stream);
    } catch (e) {
      for (const track of stream.getTracks()) track.stop();
      throw e;
    }
  }

  constructor(stream) {
    const type = recordingType();
    this.stream = stream;
    this.chunks = [];
    this.recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    this.recorder.ondataavailable = (e) => { if (e.data && e.data.size) this.chunks.push(e.data); };
    this.recorder.start(1000); // a chunk a second: a long recording is not one growing buffer
    this.startedAt = Date.now();
  }

  elapsed() {
    return Date.now() - this.startedAt;
  }

  /** Stops; resolves with the recording as a File (voice-<time>.webm or so). */
  stop() {
    return new Promise((resolve, reject) => {
      this.recorder.onstop = () => {
        this.release();
        const type = (this.recorder.mimeType || this.chunks[0]?.type || 'audio/webm').split(';')[0];
        const blob = new Blob(this.chunks, { type });
        if (!blob.size) {
          reject(new Error('Nothing was recorded.'));
          return;
        }
        const at = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
        resolve(new File([blob], `voice-${at}.${EXTENSIONS[type] || 'webm'}`, { type }));
      };
      this.recorder.onerror = (e) => {
        this.release();
        reject(e.error || new Error('The recording failed.'));
      };
      this.recorder.stop();
    });
  }

  /** Stops and throws the recording away. */
  cancel() {
    this.recorder.onstop = null;
    this.recorder.ondataavailable = null;
    if (this.recorder.state !== 'inactive') this.recorder.stop();
    this.release();
  }

  release() {
    for (const track of this.stream.getTracks()) track.stop();
  }
}
