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

  get(path) { return this.request('GET', path); }
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
        .then((pair) => { this.setSession(pair); return true; })
        .catch(() => { this.clear(); return false; })
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
