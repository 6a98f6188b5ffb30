// The JSON API as the pages see it: the access token lives in this module's memory only (never in storage); a
// 401 renews it once through the HttpOnly refresh cookie, and a refused renewal ends the session.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.fields = problem.errors && typeof problem.errors === "object" ? problem.errors : {};
  }
}

let accessToken = null;
let renewal = null;
let renewTimer = null;
const listeners = new Set();
let current = { user: null, state: "unknown" }; // state: unknown (not yet restored), signed-in, signed-out

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

export function token() {
  return accessToken;
}

function adopt(result) {
  accessToken = result.access_token;
  clearTimeout(renewTimer);
  // Renewed ahead of expiry so a request never waits for it; the cookie rotates each time.
  const delay = Math.max(5, result.expires_in * 0.8) * 1000;
  renewTimer = setTimeout(() => renew(), delay);
  publish({ user: result.user, state: "signed-in" });
}

/// Ends the session here (the server's side is the caller's business). `expired`: the server refused to renew it,
/// so the login page offers to come back to where the user was.
export function endSession(expired) {
  accessToken = null;
  clearTimeout(renewTimer);
  publish({ user: null, state: "signed-out", expired: Boolean(expired) });
}

/// Asks for a new access token with the refresh cookie; one request at a time however many callers wait.
export function renew() {
  if (!renewal) {
    renewal = fetch("/api/v1/auth/refresh", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    })
      .then(async (response) => {
        if (!response.ok) return false;
        adopt(await response.json());
        return true;
      })
      .catch(() => false)
      .finally(() => {
        renewal = null;
      });
  }
  return renewal;
}

/// Restores a session after a page load from the refresh cookie, if there is one.
export async function restore() {
  const ok = await renew();
  if (!ok) publish({ user: null, state: "signed-out" });
  return ok;
}

export async function login(username, password) {
  const result = await request("POST", "/api/v1/auth/login", { body: { username, password }, anonymous: true });
  adopt(result);
  return result.user;
}

export async function logout() {
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
    if (await renew()) {
      response = await send(method, url, options);
    } else {
      endSession(true);
      throw await failure(response);
    }
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
