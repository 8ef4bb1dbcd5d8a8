// Calls to /api (same origin), for the staff pages and the patient portal alike. The access
// token lives in memory only; the refresh token is an HttpOnly cookie scoped to /api/auth
// that this code never sees. A refresh is asked only while a marker cookie (no secret) says a
// session may exist, so a page nobody is signed in to logs no 401 (docs/decisions.md).

let account = "staff";
let accessToken = null;
let sessionNumber = 0; // a new one at each sign-in and sign-out
let refreshing = null;
let issuedAt = 0; // when this page got its access token
let expired = () => {};
// The server ends a session that got no new token for a while (30 minutes by default), so
// while the person works, a token older than this is renewed.
const RENEW_AFTER_MS = 5 * 60 * 1000;

export class ApiError extends Error {
  constructor(status, body) {
    const detail = (body && body.error) || {};
    super(detail.message || `The server answered ${status}.`);
    this.status = status;
    this.code = detail.code || "";
    this.field = detail.field || null;
    this.current = (body && body.current) || null;
  }
}

/** Whose session this page holds: "staff" (the default) or "patient". */
export function forAccount(name) {
  account = name;
}

// The marker: a session cookie like the refresh cookie, on its account's pages, never sent to /api.
const side = () => (account === "patient" ? "portal" : "staff");
const mark = (on) => {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${side()}_session=1; Path=/${side()}; SameSite=Strict${secure}${on ? "" : "; Max-Age=0"}`;
};
const marked = () => document.cookie.split("; ").includes(`${side()}_session=1`);

export function setToken(token) {
  accessToken = token;
  mark(true);
  issuedAt = Date.now();
  sessionNumber += 1;
}

/** The person is at work on the page (the inactivity watcher calls this). */
export function active() {
  if (accessToken && Date.now() - issuedAt > RENEW_AFTER_MS) refresh();
}

function claims() {
  try {
    return JSON.parse(atob(accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    return {};
  }
}

/** The username the access token names (display only; the API checks the token). */
export function tokenUsername() {
  const named = claims();
  return named.username || named["cognito:username"] || "";
}

/** The token's groups (to show or hide admin tools; the API checks the token). */
export const tokenGroups = () => claims()["cognito:groups"] || [];

/** Which session this is: an answer asked for in an earlier one is not shown. */
export const session = () => sessionNumber;

export function signedIn() {
  return accessToken !== null;
}

/** Called when the session cannot be renewed (refresh token revoked or expired). */
export function onExpired(callback) {
  expired = callback;
}

async function parse(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function send(method, path, body, { auth = true, retry = true, type = "", bearer = accessToken } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = type || "application/json";
  if (auth && bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined || type ? body : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (response.status === 401 && auth && retry) {
    if (await refresh()) return send(method, path, body, { auth, retry: false, type });
    expired();
  }
  const data = await parse(response);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** A new access token from the refresh cookie; false when there is no live session (at
 * once, without the marker). */
export function refresh() {
  if (!refreshing && !marked()) return Promise.resolve(false);
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const data = await send("POST", "/api/auth/refresh", { account }, { auth: false });
        accessToken = data.access_token;
        issuedAt = Date.now();
        return true;
      } catch (failure) {
        accessToken = null;
        if (failure.status === 401) mark(false); // the server knows no such session
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

/** Ends the session on the server (refresh token revoked, cookie cleared); never throws.
 * The token is dropped at once, so nothing started meanwhile uses it. */
export async function logout() {
  const bearer = accessToken;
  accessToken = null;
  sessionNumber += 1;
  mark(false);
  if (!bearer) return;
  try {
    await send("POST", "/api/auth/logout", { account }, { retry: false, bearer });
  } catch {
    // Signed out on this page either way.
  }
}

export const get = (path) => send("GET", path);
export const post = (path, body = {}) => send("POST", path, body);
export const put = (path, body) => send("PUT", path, body);
export const patch = (path, body) => send("PATCH", path, body);
export const del = (path) => send("DELETE", path);
export const postPublic = (path, body) => send("POST", path, body, { auth: false });
/** A file sent as it is (the import's CSV), not as JSON. */
export const upload = (path, file, type) => send("POST", path, file, { type });

export function query(path, params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}
