// The WebSocket connection to Parley's gateway (docs/websocket-protocol.md): requests matched
// to replies by `ref`, heartbeats, and reconnection with exponential backoff. The owner keeps
// each room's stream position and resubscribes with since_seq after every reconnect.

export class ChatSocket {
  /**
   * @param {() => string} urlOf    the gateway URL (without token)
   * @param {() => Promise<string|null>} tokenOf  a valid access token, refreshed when needed
   * @param {object} on  {status(s), open(welcome), event(frame), closed(), disabled(), ended()}
   */
  constructor(urlOf, tokenOf, on) {
    this.urlOf = urlOf;
    this.tokenOf = tokenOf;
    this.on = on;
    this.ws = null;
    this.refs = new Map();
    this.nextRef = 1;
    this.attempt = 0;
    this.stopped = true;
    this.heartbeat = null;
    this.retryTimer = null;
    this.status = 'offline';
    window.addEventListener('online', () => { if (!this.stopped && !this.isOpen()) this.reconnectNow(); });
    window.addEventListener('offline', () => this.setStatus('offline'));
  }

  isOpen() { return this.ws && this.ws.readyState === WebSocket.OPEN && this.status === 'connected'; }

  setStatus(s) {
    if (this.status !== s) { this.status = s; this.on.status(s); }
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeat);
    if (this.ws) this.ws.close(1000, 'bye');
    this.ws = null;
    this.setStatus('offline');
  }

  reconnectNow() {
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.connect();
  }

  async connect() {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    let token;
    try {
      token = await this.tokenOf();
    } finally {
      this.connecting = false;
    }
    if (this.stopped) return; // stopped (logged out) while the token was fetched
    if (!token) { this.stop(); return; }
    if (this.ws) {
      const old = this.ws;
      this.ws = null;
      old.close(1000, 'replaced');
    }
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let ws;
    try {
      ws = new WebSocket(`${this.urlOf()}?token=${encodeURIComponent(token)}`);
    } catch (e) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (e) => this.onFrame(ws, e.data);
    ws.onclose = (e) => this.onClose(ws, e);
  }

  onFrame(ws, text) {
    if (ws !== this.ws) return; // a socket we replaced
    let frame;
    try { frame = JSON.parse(text); } catch (e) { return; }
    if (frame.type === 'welcome') {
      this.attempt = 0;
      this.setStatus('connected');
      clearInterval(this.heartbeat);
      const every = Math.max(5, Math.floor((frame.heartbeat_s || 30) * 0.8)) * 1000;
      this.heartbeat = setInterval(() => this.send({ type: 'ping' }), every);
      this.on.open(frame);
      return;
    }
    if (frame.ref !== undefined && this.refs.has(frame.ref)) {
      const { resolve, reject } = this.refs.get(frame.ref);
      this.refs.delete(frame.ref);
      if (frame.type === 'error') reject(frame); else resolve(frame);
      if (frame.type === 'error' || frame.type === 'pong' || frame.type === 'message.ack') return;
    }
    this.on.event(frame);
  }

  onClose(ws, e) {
    if (ws !== this.ws) return;
    clearInterval(this.heartbeat);
    for (const { reject } of this.refs.values()) reject({ type: 'error', code: 'DISCONNECTED', message: 'connection lost' });
    this.refs.clear();
    this.ws = null;
    this.on.closed();
    if (this.stopped) return;
    if (e.code === 4403 || e.code === 4410) {
      // an admin disabled the account, or a new password ended this session: never reconnect
      // (the owner logs out)
      this.stop();
      if (e.code === 4403) this.on.disabled(); else this.on.ended();
      return;
    }
    if (e.code === 4401) {
      // token rejected: get a fresh one and try again at once
      this.attempt++;
      this.tokenOf(true).then((t) => (t ? this.connect() : this.stop()));
      return;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    this.setStatus(navigator.onLine === false ? 'offline' : 'reconnecting');
    const base = Math.min(30000, 500 * 2 ** this.attempt);
    this.attempt++;
    this.retryTimer = setTimeout(() => this.connect(), base / 2 + Math.random() * base / 2);
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame with a fresh ref; resolves with the reply, rejects with the error frame. */
  request(frame) {
    return new Promise((resolve, reject) => {
      const ref = `c${this.nextRef++}`;
      if (!this.send({ ...frame, ref })) {
        reject({ type: 'error', code: 'DISCONNECTED', message: 'not connected' });
        return;
      }
      this.refs.set(ref, { resolve, reject });
    });
  }
}
