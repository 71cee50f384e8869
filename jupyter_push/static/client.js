// jupyter_push browser client: live channels from a Jupyter server, for any web page.
// No dependencies. Load it with the share token, as the server asks a credential for it:
//
//   import { connect } from "https://HOST/BASE/push/client.js?access=TOKEN";
//   const live = connect("https://HOST/BASE/push/events?access=TOKEN&channel=train/**");
//   live.on("train/loss", (data, event) => chart.add(data));
//   live.onStatus((status, detail) => banner.textContent = status);
//   await live.send("train/stop", true);   // a link with write patterns: set a control
//
// It keeps the latest event of every channel (retained values), resumes after a network
// drop from the last event id, and stops for good when the link expires or is revoked.

const RECENT_IDS = 2000;

/** Does `pattern` (`*` one segment, final `**` any) match `channel`? As on the server. */
export function matches(pattern, channel) {
  if (!pattern.includes("*")) return pattern === channel;
  if (channel.startsWith("$") && !pattern.startsWith("$")) return false;
  const p = pattern.split("/");
  const c = channel.split("/");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === "**") return true; // the rest, even nothing (`train/**` matches `train`)
    if (i >= c.length || (p[i] !== "*" && p[i] !== c[i])) return false;
  }
  return p.length === c.length;
}

/** Split a share URL (or `{base}push/` URL) into the push base, the token and the patterns. */
export function parseLink(link, base = globalThis.location?.href) {
  const url = new URL(link, base);
  const at = url.pathname.lastIndexOf("/push/");
  if (at < 0) throw new Error(`not a jupyter_push URL (no /push/ in it): ${link}`);
  return {
    push: url.origin + url.pathname.slice(0, at + "/push/".length),
    access: url.searchParams.get("access"),
    channels: url.searchParams.getAll("channel"),
    maxRate: url.searchParams.get("max_rate"),
  };
}

/**
 * Connect to a jupyter_push server.
 * @param {string} link  a share URL, or the server's `{base}push/` URL
 * @param {{channels?: string[], access?: string, minDelay?: number, maxDelay?: number,
 *          maxRate?: number}} options  `maxRate`: at most that many events per second per
 *   channel, the latest value winning (`max_rate`; `event.skipped` counts what was skipped)
 */
export function connect(link, options = {}) {
  return new Connection(link, options);
}

class Connection {
  constructor(link, { channels, access, minDelay = 0.5, maxDelay = 30, maxRate } = {}) {
    const parsed = parseLink(link);
    this.push = parsed.push;
    this.access = access ?? parsed.access;
    this.maxRate = maxRate ?? parsed.maxRate;
    this.patterns = [...(channels ?? parsed.channels)];
    this.minDelay = minDelay;
    this.maxDelay = maxDelay;
    this.latest = new Map(); // channel -> latest event
    this.lastId = null;
    this.status = "connecting";
    this._listeners = []; // [pattern, callback]
    this._statusListeners = [];
    this._gapListeners = [];
    this._recent = new Set();
    this._delay = minDelay;
    this._source = null;
    this._timer = null;
    this._closed = false;
    this._open();
  }

  /** Call `callback(data, event)` for every event on channels matching `pattern`. */
  on(pattern, callback) {
    const entry = [pattern, callback];
    this._listeners.push(entry);
    for (const event of this.latest.values()) {
      if (matches(pattern, event.channel)) callback(event.data, event);
    }
    return () => {
      this._listeners = this._listeners.filter((e) => e !== entry);
    };
  }

  /** `callback(status, detail)`: "connecting", "open", "retrying" or "closed" (with why). */
  onStatus(callback) {
    this._statusListeners.push(callback);
    callback(this.status, this.detail);
    return () => {
      this._statusListeners = this._statusListeners.filter((c) => c !== callback);
    };
  }

  /** `callback({since})`: events after `since` were lost (server restart, history too short). */
  onGap(callback) {
    this._gapListeners.push(callback);
  }

  /** Add patterns to the subscription; their retained values arrive through `on` callbacks. */
  subscribe(...patterns) {
    const fresh = patterns.filter((p) => !this.patterns.includes(p));
    if (!fresh.length) return this;
    this.patterns.push(...fresh);
    if (this.lastId !== null) this._fetchRetained(fresh);
    this._reopen();
    return this;
  }

  /**
   * Publish `data` on `channel` (a link made with write patterns may set the controls they
   * name; with the page's own Jupyter login, anything). Resolves to the event id; rejects with
   * an Error carrying the server's message and `status` (403 not allowed, 400 a value the
   * control refuses, 429 too fast: `retryAfter` seconds).
   */
  async send(channel, data) {
    const headers = { "Content-Type": "application/json" };
    const xsrf = !this.access && globalThis.document?.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
    if (xsrf) headers["X-XSRFToken"] = decodeURIComponent(xsrf[1]);
    const query = this.access ? "?" + new URLSearchParams({ access: this.access }) : "";
    const response = await fetch(`${this.push}events${query}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ channel, data }),
      credentials: this.access ? "omit" : "same-origin",
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.message || `refused (${response.status})`);
      error.status = response.status;
      error.retryAfter = Number(response.headers.get("Retry-After")) || undefined;
      throw error;
    }
    return body.ids?.[0];
  }

  close() {
    this._closed = true;
    clearTimeout(this._timer);
    this._source?.close();
    this._setStatus("closed", "closed by the page");
  }

  // ---------------------------------------------------------------- internals

  _url(path, extra = []) {
    const params = new URLSearchParams();
    if (this.access) params.append("access", this.access);
    for (const p of this.patterns) params.append("channel", p);
    if (this.maxRate != null && path === "events") params.append("max_rate", String(this.maxRate));
    for (const [k, v] of extra) params.append(k, v);
    const query = params.toString();
    return this.push + path + (query ? "?" + query : "");
  }

  _open() {
    if (this._closed) return;
    const extra = this.lastId !== null ? [["since", this.lastId]] : [];
    const source = new EventSource(this._url("events", extra));
    this._source = source;
    source.onopen = () => {
      this._delay = this.minDelay;
      this._setStatus("open");
    };
    source.onmessage = (message) => this._receive(JSON.parse(message.data));
    source.addEventListener("gap", (message) => {
      const gap = JSON.parse(message.data);
      for (const callback of this._gapListeners) callback(gap);
    });
    // Take over reconnection: resume with ?since= (no preflight across origins), and find
    // out whether the link was refused before trying again.
    source.onerror = () => {
      source.close();
      if (this._source === source) this._retry();
    };
  }

  _reopen() {
    this._source?.close();
    clearTimeout(this._timer);
    this._open();
  }

  async _retry() {
    if (this._closed) return;
    const source = this._source;
    const refusal = await this._refusal();
    if (this._source !== source) return; // subscribe() opened a new stream meanwhile
    if (refusal) {
      this._closed = true;
      this._setStatus("closed", refusal);
      return;
    }
    this._setStatus("retrying", `reconnecting in ${this._delay.toFixed(1)} s`);
    this._timer = setTimeout(() => this._open(), this._delay * 1000);
    this._delay = Math.min(this.maxDelay, this._delay * 2);
  }

  /** The server's reason when it refuses this link (401/403), else null (try again). */
  async _refusal() {
    try {
      const response = await fetch(this._url("channels"));
      if (response.status !== 401 && response.status !== 403) return null;
      const body = await response.json().catch(() => ({}));
      return body.message || `refused (${response.status})`;
    } catch {
      return null; // network down: keep trying
    }
  }

  async _fetchRetained(patterns) {
    const params = new URLSearchParams();
    if (this.access) params.append("access", this.access);
    for (const p of patterns) params.append("channel", p);
    try {
      const response = await fetch(`${this.push}channels?${params}`);
      if (!response.ok) return;
      const { channels } = await response.json();
      for (const { last } of channels) {
        if (last && !this.latest.has(last.channel)) this._receive(last, false);
      }
    } catch {
      // the stream delivers anything new; a missing retained value is only cosmetic
    }
  }

  _receive(event, advance = true) {
    if (this._recent.has(event.id)) return;
    this._recent.add(event.id);
    if (this._recent.size > RECENT_IDS) {
      this._recent.delete(this._recent.values().next().value);
    }
    if (advance) this.lastId = event.id;
    this.latest.set(event.channel, event);
    for (const [pattern, callback] of this._listeners) {
      if (matches(pattern, event.channel)) {
        try {
          callback(event.data, event);
        } catch (error) {
          console.error("jupyter_push: a callback failed", error);
        }
      }
    }
  }

  _setStatus(status, detail) {
    this.status = status;
    this.detail = detail;
    for (const callback of this._statusListeners) callback(status, detail);
  }
}
