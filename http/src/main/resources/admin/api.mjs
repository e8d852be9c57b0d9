// The admin API as the dashboard calls it. The admin key lives in sessionStorage: it stays in this tab,
// is gone when the tab closes, and never appears in a URL; every request carries it as a bearer token.

const KEY_ITEM = "freshet.admin.key";

/** The key this tab signed in with, or null. */
export function storedKey() {
  try {
    return sessionStorage.getItem(KEY_ITEM);
  } catch {
    return null; // storage disabled: the page still works, the key is just asked for again
  }
}

export function storeKey(key) {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey() {
  try {
    sessionStorage.removeItem(KEY_ITEM);
  } catch {
    // nothing stored then
  }
}

/**
 * An answer the API refused ({"error": {"code", "message", "field"}}), or a request that got no answer
 * (status 0).
 */
export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** The key is unknown, revoked or lacks the admin scope: this session is over. */
  get authFailure() {
    return this.status === 401 || this.status === 403;
  }
}

/** Whether an error is only the cancellation of a request nobody waits for any more. */
export function isAbort(error) {
  return error?.name === "AbortError";
}

/** GETs `path` (an absolute /v1/... path) with `key`; answers the parsed JSON or throws ApiError. */
export async function getJson(path, key, { signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      headers: { Authorization: `Bearer ${key}`, Accept: "application/json" },
      cache: "no-store",
      signal,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, "unreachable", "the server did not answer");
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined; // a proxy's HTML error page, say
  }
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(
      response.status,
      error.code ?? `http_${response.status}`,
      error.message ?? `HTTP ${response.status} ${response.statusText}`.trim(),
      error.field ?? null,
    );
  }
  if (body === undefined) throw new ApiError(response.status, "bad_answer", "the answer is not JSON");
  return body;
}

/**
 * A client for one signed-in session: every refused key (401/403) ends the session through
 * `onAuthFailure`, whichever request noticed it first.
 */
export function adminClient(key, onAuthFailure) {
  return {
    async get(path, options) {
      try {
        return await getJson(path, key, options);
      } catch (error) {
        if (error instanceof ApiError && error.authFailure) onAuthFailure(error);
        throw error;
      }
    },
  };
}
