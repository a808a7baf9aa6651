// The few panel calls the harness makes itself (outside the load runs):
// signing in for a session cookie, toggling a token, probing a credential.

const STATUS_PATH = "/panel/api/server/status";

function sessionCookieOf(response) {
  for (const cookie of response.headers.getSetCookie()) {
    const match = /^3x-ui=([^;]+)/.exec(cookie);
    if (match) return match[1];
  }
  return null;
}

/** Signs in like a browser (CSRF token for an anonymous session, then POST /login); returns the Cookie header. */
export async function signIn(baseUrl, admin) {
  const csrfResponse = await fetch(`${baseUrl}/csrf-token`);
  const anonymous = sessionCookieOf(csrfResponse);
  const { obj: csrf } = await csrfResponse.json();
  if (!anonymous || !csrf) throw new Error("GET /csrf-token gave no session cookie or no CSRF token");
  const response = await fetch(`${baseUrl}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Cookie: `3x-ui=${anonymous}` },
    body: JSON.stringify(admin),
  });
  const body = await response.json();
  const session = sessionCookieOf(response);
  if (!body.success || !session) throw new Error(`POST /login failed: ${response.status} ${JSON.stringify(body)}`);
  return `3x-ui=${session}`;
}

/** Status code of GET /panel/api/server/status with the given headers (body drained so the socket is reused). */
export async function statusWith(baseUrl, headers) {
  const response = await fetch(`${baseUrl}${STATUS_PATH}`, { headers });
  await response.arrayBuffer();
  return response.status;
}

export const bearer = (token) => ({ Authorization: `Bearer ${token}` });

/** POST /panel/api/setting/apiTokens/setEnabled/{id} with an admin bearer; throws unless the panel says success. */
export async function setTokenEnabled(baseUrl, adminToken, id, enabled) {
  const response = await fetch(`${baseUrl}/panel/api/setting/apiTokens/setEnabled/${id}`, {
    method: "POST",
    headers: { ...bearer(adminToken), "Content-Type": "application/json" },
    body: JSON.stringify({ enabled }),
  });
  const body = await response.json();
  if (response.status !== 200 || !body.success) {
    throw new Error(`setEnabled/${id} ${enabled} failed: ${response.status} ${JSON.stringify(body)}`);
  }
}

export { STATUS_PATH };
