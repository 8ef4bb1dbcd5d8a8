// Calls to /api for the patient. The access token lives in memory only; the refresh token
// is an HttpOnly cookie scoped to /api/auth that this code never sees.

let token = null;
let refreshing = null;
let expired = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    const detail = (body && body.error) || {};
    super(detail.message || `The server answered ${status}.`);
    this.status = status;
    this.field = detail.field || null;
  }
}

export const setToken = (value) => {
  token = value;
};
export const signedIn = () => token !== null;
/** Called when a call is refused and the session cannot be renewed. */
export const onExpired = (callback) => {
  expired = callback;
};

async function send(method, path, body, { auth = true, retry = true, bearer = token } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (auth && bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (response.status === 401 && auth && retry) {
    if (await refresh()) return send(method, path, body, { auth });
    expired();
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** A new access token from the refresh cookie; false when there is no live session. */
export function refresh() {
  refreshing ||= send("POST", "/api/auth/refresh", { account: "patient" }, { auth: false })
    .then((data) => {
      token = data.access_token;
      return true;
    })
    .catch(() => {
      token = null;
      return false;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** Ends the session on the server (refresh token revoked, cookie cleared); never throws. */
export async function logout() {
  const bearer = token;
  token = null;
  try {
    await send("POST", "/api/auth/logout", { account: "patient" }, { retry: false, bearer });
  } catch {
    // Signed out on this page either way.
  }
}

export const get = (path) => send("GET", path);
export const post = (path, body = {}) => send("POST", path, body);
export const postPublic = (path, body) => send("POST", path, body, { auth: false });
