// The one place that talks to /api/v1. The token lives in sessionStorage: this tab only, gone when
// it closes, never a cookie (a cross-site request cannot ride on it) and never in a URL.
const KEY = 'vmaddr.token';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && (problem.detail || problem.title) || ('HTTP ' + status));
    this.status = status;
    this.problem = problem;
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

/** Checks a token against the API before keeping it: a wrong one is never stored. */
export async function login(candidate) {
  await request('GET', '/api/v1/networks', candidate);
  sessionStorage.setItem(KEY, candidate);
}

let onUnauthorized = () => {};

/** Called when the API answers 401 to the kept token (changed on the server, or wrong). */
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

async function request(method, path, bearer) {
  const response = await fetch(path, {
    method,
    headers: {'Authorization': 'Bearer ' + bearer, 'Accept': 'application/json'},
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch (e) {
      // not problem+json (a proxy's page): the status says enough
    }
    throw new ApiError(response.status, problem);
  }
  return response.status === 204 ? null : response.json();
}

async function call(method, path) {
  try {
    return await request(method, path, token() || '');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forget();
      onUnauthorized();
    }
    throw e;
  }
}

export const get = path => call('GET', path);
export const post = path => call('POST', path);

/** A path segment or query value, escaped. */
export const seg = encodeURIComponent;
