// The JSON API as the pages see it: the access token lives in this module's memory only (never in storage; a renewal
// hands it to this origin's other tabs); a 401 renews it once through the HttpOnly refresh cookie, and a refused
// renewal ends the session.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.fields = problem.errors && typeof problem.errors === "object" ? problem.errors : {};
  }
}

let accessToken = null;
let tokenVersion = 0; // counts the tokens this tab has taken: a waiting renewal sees that another tab renewed
let sessionGeneration = 0; // bumped when the session ends here: an answer to an older renewal is not adopted
let renewal = null;
let renewTimer = null;
let retryDelayMs = 0;
const kRetryFirstMs = 2000;
const kRetryLastMs = 30_000;
const listeners = new Set();
let current = { user: null, state: "unknown" }; // state: unknown (not yet restored), signed-in, signed-out

// Tabs share one refresh cookie, and the server takes a cookie presented twice for theft and ends the session
// everywhere. So renewals are serialised across tabs with a Web Lock (each then sends the cookie the last one set),
// and a tab that renewed tells the others, which adopt its token instead of rotating the cookie again. The channel
// carries only the short-lived access token, and only to tabs of this origin: a script able to listen there runs in
// this origin and could call /auth/refresh with the cookie itself, so it learns nothing it could not get anyway.
const kRefreshLock = "gatehouse-refresh";
const sessionChannel = typeof BroadcastChannel === "function" ? new BroadcastChannel("gatehouse-session") : null;
sessionChannel?.addEventListener("message", (event) => {
  // A tab signed out here stays so: the user ended this session, and another tab's renewal must not undo that.
  if (current.state !== "signed-out" && event.data?.access_token) adopt(event.data);
});

/// The session as {user, state}; `listen` is told of every change.
export function session() {
  return current;
}
export function listen(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function publish(next) {
  current = next;
  for (const listener of listeners) listener(next);
}

function adopt(result) {
  accessToken = result.access_token;
  tokenVersion += 1;
  retryDelayMs = 0;
  // Renewed ahead of expiry so a request never waits for it; the cookie rotates each time.
  scheduleRenewal(Math.max(5, result.expires_in * 0.8) * 1000);
  publish({ user: result.user, state: "signed-in" });
}

function scheduleRenewal(delayMs) {
  clearTimeout(renewTimer);
  renewTimer = setTimeout(renewOnTime, delayMs);
}

async function renewOnTime() {
  const generation = sessionGeneration;
  const outcome = await renew();
  // The server out of reach (a laptop waking, a restart): try again, sooner than the token expires, while this
  // session lasts. A refusal is left to the next request, whose 401 ends the session.
  if (outcome === "unreachable" && accessToken && generation === sessionGeneration) {
    retryDelayMs = Math.min(kRetryLastMs, retryDelayMs ? retryDelayMs * 2 : kRetryFirstMs);
    scheduleRenewal(retryDelayMs);
  }
}

/// Ends the session here (the server's side is the caller's business). `expired`: the server refused to renew it,
/// so the login page offers to come back to where the user was.
function endSession(expired) {
  accessToken = null;
  sessionGeneration += 1;
  renewal = null;
  clearTimeout(renewTimer);
  publish({ user: null, state: "signed-out", expired: Boolean(expired) });
}

/// One renewal with the refresh cookie: "renewed", "refused" (401/403: the session is over; also an answer that
/// comes after the session ended here) or "unreachable" (the network or the server failed: the session may go on).
async function refresh(askedVersion, generation) {
  // Another tab renewed while this one waited for the lock: its token was adopted; the cookie it sent is spent.
  if (tokenVersion !== askedVersion && accessToken) return "renewed";
  let result;
  try {
    const response = await fetch("/api/v1/auth/refresh", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    if (response.status === 401 || response.status === 403) return "refused";
    if (!response.ok) return "unreachable";
    result = await response.json();
  } catch {
    return "unreachable";
  }
  if (generation !== sessionGeneration) return "refused";
  adopt(result);
  const { access_token, expires_in, user } = result;
  sessionChannel?.postMessage({ access_token, expires_in, user });
  return "renewed";
}

/// Asks for a new access token; one request at a time however many callers wait, in this tab and across tabs.
function renew() {
  if (!renewal) {
    const askedVersion = tokenVersion;
    const generation = sessionGeneration;
    const run = () => refresh(askedVersion, generation);
    const pending = (navigator.locks ? navigator.locks.request(kRefreshLock, run) : run()).finally(() => {
      if (renewal === pending) renewal = null;
    });
    renewal = pending;
  }
  return renewal;
}

/// Restores a session after a page load from the refresh cookie, if there is one.
export async function restore() {
  const renewed = (await renew()) === "renewed";
  if (!renewed) publish({ user: null, state: "signed-out" });
  return renewed;
}

export async function login(username, password) {
  const result = await request("POST", "/api/v1/auth/login", { body: { username, password }, anonymous: true });
  adopt(result);
  return result.user;
}

export async function logout() {
  // A renewal under way finishes first, so the server revokes the cookie it leaves rather than the one it spent.
  await renewal?.catch(() => {});
  try {
    await request("POST", "/api/v1/auth/logout", { body: {} });
  } finally {
    endSession(false);
  }
}

/// `path?query` with empty values left out.
export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function send(method, url, options) {
  const headers = { Accept: "application/json, application/problem+json" };
  if (accessToken && !options.anonymous) headers.Authorization = `Bearer ${accessToken}`;
  let body;
  if (options.form) {
    body = options.form;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  return fetch(url, { method, headers, body, credentials: "same-origin", signal: options.signal });
}

async function failure(response) {
  const type = response.headers.get("Content-Type") || "";
  let problem = { title: response.statusText, status: response.status };
  if (type.includes("json")) {
    try {
      problem = await response.json();
    } catch {
      // a body that is not JSON keeps the status text
    }
  }
  return new ApiError(response.status, problem);
}

/// Sends a request to the API. options: body (JSON), form (FormData), query, signal, text or blob (the answer as such),
/// anonymous (no token, no renewal). Throws ApiError with the problem's detail and field errors.
export async function request(method, path, options = {}) {
  const url = withQuery(path, options.query);
  let response = await send(method, url, options);
  if (response.status === 401 && !options.anonymous) {
    const generation = sessionGeneration;
    const outcome = await renew();
    if (outcome !== "renewed") {
      // Only a refusal ends the session: with the server out of reach the cookie may still be good.
      if (outcome === "refused" && generation === sessionGeneration) endSession(true);
      throw await failure(response);
    }
    response = await send(method, url, options);
  }
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return null;
  if (options.text) return response.text();
  if (options.blob) return response.blob();
  return response.json();
}

export const api = {
  get: (path, query, options) => request("GET", path, { ...options, query }),
  post: (path, body, options) => request("POST", path, { ...options, body }),
  put: (path, body, options) => request("PUT", path, { ...options, body }),
  patch: (path, body, options) => request("PATCH", path, { ...options, body }),
  del: (path, options) => request("DELETE", path, options),
};

/// The URL of a WebSocket on this origin with the access token as `access_token` (browsers cannot set headers).
export function socketUrl(path, query) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${withQuery(path, { ...query, access_token: accessToken })}`;
}

const ranks = { viewer: 1, operator: 2, admin: 3 };
/// Whether the signed-in user's role is at least `role`.
export function can(role) {
  const user = current.user;
  return Boolean(user) && (ranks[user.role] || 0) >= ranks[role];
}
