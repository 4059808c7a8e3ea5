// HTTP client of Parley's API (openapi.yaml). The access token lives only in memory; the refresh
// token is an HttpOnly cookie set by the server, so scripts never see it.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = problem && problem.code;
    this.problem = problem;
  }
}

export class ApiClient {
  constructor(base = '/api/v1') {
    this.base = base;
    this.accessToken = null;
    this.user = null;
    this.refreshTimer = null;
    this.refreshing = null;
    this.refreshError = null; // why the last refresh failed (an ApiError), null after a success
    this.onAuthLost = () => {};
  }

  async request(method, path, body, { auth = true, retry = true } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    let res;
    try {
      res = await fetch(this.base + path, {
        method, headers, credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, { code: 'UNAVAILABLE', detail: 'the server cannot be reached' });
    }
    if (res.status === 401 && auth && retry) {
      if (await this.refresh()) return this.request(method, path, body, { auth, retry: false });
      this.onAuthLost();
    }
    if (res.status === 204) return null;
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  /**
   * Uploads a file (POST /attachments, multipart field `file`) with XMLHttpRequest, which, unlike
   * fetch, reports upload progress: onProgress(sent, total). Answers {promise, abort}; the promise
   * resolves with the Attachment, rejects with an ApiError (code ABORTED after abort()).
   */
  upload(file, onProgress = () => {}) {
    let xhr = null;
    let aborted = false;
    const once = (retry) => new Promise((resolve, reject) => {
      xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.base}/attachments`);
      xhr.setRequestHeader('Accept', 'application/json');
      if (this.accessToken) xhr.setRequestHeader('Authorization', `Bearer ${this.accessToken}`);
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onabort = () => reject(new ApiError(0, { code: 'ABORTED', detail: 'upload cancelled' }));
      xhr.onerror = () => reject(new ApiError(0, { code: 'UNAVAILABLE', detail: 'the server cannot be reached' }));
      xhr.onload = () => {
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON (e.g. a proxy's page) */ }
        if (xhr.status === 401 && retry) resolve(null);
        else if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(new ApiError(xhr.status, data || (xhr.status === 413 ? { code: 'PAYLOAD_TOO_LARGE', detail: 'the file is too large' } : null)));
      };
      const form = new FormData();
      form.append('file', file, file.name || 'file');
      xhr.send(form);
    });
    const promise = once(true).then(async (attachment) => {
      if (attachment !== null) return attachment;
      const renewed = !aborted && await this.refresh(); // the token expired: once more with a fresh one
      if (aborted) throw new ApiError(0, { code: 'ABORTED', detail: 'upload cancelled' });
      if (!renewed) {
        this.onAuthLost();
        throw new ApiError(401, { code: 'UNAUTHORIZED', detail: 'signed out' });
      }
      return once(false);
    });
    return { promise, abort: () => { aborted = true; if (xhr) xhr.abort(); } };
  }

  get(path) { return this.request('GET', path); }
  put(path, body) { return this.request('PUT', path, body); }
  post(path, body = {}) { return this.request('POST', path, body); }
  patch(path, body) { return this.request('PATCH', path, body); }
  del(path) { return this.request('DELETE', path); }

  // ---- billing (plans, subscription, today's usage, Stripe Checkout and portal) ------------

  plans() { return this.request('GET', '/plans', undefined, { auth: false }); }
  subscription() { return this.get('/billing/subscription'); }
  usage() { return this.get('/billing/usage'); }
  /** 201 {checkout_url, session_id}: the caller sends the browser to checkout_url. */
  checkout(planCode) { return this.post('/billing/checkout', { plan_code: planCode }); }
  /** {session_id, status: open|complete|expired, plan_code}. */
  checkoutSession(sessionId) { return this.get(`/billing/checkout/${encodeURIComponent(sessionId)}`); }
  /** {portal_url}: Stripe's customer portal (change plan, cancel, invoices). */
  portal() { return this.post('/billing/portal'); }

  async login(email, password) {
    const pair = await this.request('POST', '/auth/login', { email, password }, { auth: false });
    this.setSession(pair);
    return pair.user;
  }

  register(form) {
    return this.request('POST', '/auth/register', form, { auth: false });
  }

  /** Rotates the refresh cookie; resolves true with a new access token, false when the session is gone. */
  refresh() {
    if (!this.refreshing) {
      // tabs share the refresh cookie: rotate it one tab at a time, or the second would present a
      // token the first already used, which the server treats as theft
      const rotate = () => this.request('POST', '/auth/refresh', {}, { auth: false });
      const once = navigator.locks ? navigator.locks.request('parley-refresh', rotate) : rotate();
      this.refreshing = once
        .then((pair) => { this.refreshError = null; this.setSession(pair); return true; })
        .catch((e) => { this.refreshError = e; this.clear(); return false; })
        .finally(() => { this.refreshing = null; });
    }
    return this.refreshing;
  }

  setSession(pair) {
    this.accessToken = pair.access_token;
    this.user = pair.user;
    clearTimeout(this.refreshTimer);
    // refresh a minute before expiry (at least 10 s from now)
    const inMs = Math.max(10, pair.expires_in - 60) * 1000;
    this.refreshTimer = setTimeout(() => this.refresh().then((ok) => { if (!ok) this.onAuthLost(); }), inMs);
  }

  async logout() {
    try { await this.request('POST', '/auth/logout', {}, { retry: false }); } catch (e) { /* already gone */ }
    this.clear();
  }

  clear() {
    clearTimeout(this.refreshTimer);
    this.accessToken = null;
    this.user = null;
  }
}
