import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { callApi } from "./fetch";

/**
 * The browser side of a passkey ceremony: ask the panel for options, let the
 * browser talk to the authenticator, send the result back. Browser-only.
 */

/** A ceremony that ended in the browser, before anything reached the panel. */
export class PasskeyPromptError extends Error {
  override readonly name = "PasskeyPromptError";
}

export const PASSKEY_WORDS = {
  unsupported: "This browser has no passkey support. Use a current browser, or sign in with your password.",
  insecure: "Passkeys need a secure address: open the panel over HTTPS (or at http://localhost).",
  addCancelled: "The passkey prompt was closed — nothing was added.",
  signInCancelled: "The passkey prompt was closed — you are not signed in.",
  confirmCancelled: "The passkey prompt was closed — nothing was confirmed.",
  alreadyOnDevice: "This device already holds a passkey for this panel. Nothing was added; use that one, or pick another device.",
  wrongAddress: "This address is not the one the panel is configured for (PANEL_ORIGIN / PANEL_RP_ID), so the browser refused the passkey.",
} as const;

export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && browserSupportsWebAuthn();
}

type Purpose = "add" | "signIn" | "confirm";
const CANCELLED: Record<Purpose, string> = {
  add: PASSKEY_WORDS.addCancelled,
  signIn: PASSKEY_WORDS.signInCancelled,
  confirm: PASSKEY_WORDS.confirmCancelled,
};

/** The browser's refusal (a DOMException, or @simplewebauthn's WebAuthnError that keeps its name) in words. */
function promptError(error: unknown, purpose: Purpose): Error {
  const name = error instanceof Error ? error.name : "";
  if (name === "NotAllowedError" || name === "AbortError") return new PasskeyPromptError(CANCELLED[purpose]);
  if (name === "InvalidStateError" && purpose === "add") return new PasskeyPromptError(PASSKEY_WORDS.alreadyOnDevice);
  if (name === "SecurityError") return new PasskeyPromptError(PASSKEY_WORDS.wrongAddress);
  if (name === "NotSupportedError") return new PasskeyPromptError(PASSKEY_WORDS.unsupported);
  return new PasskeyPromptError(`The browser could not use a passkey${error instanceof Error && error.message ? `: ${error.message}` : "."}`);
}

function ensureSupport(): void {
  if (!window.isSecureContext) throw new PasskeyPromptError(PASSKEY_WORDS.insecure);
  if (!passkeysSupported()) throw new PasskeyPromptError(PASSKEY_WORDS.unsupported);
}

/** Registers a new passkey for the signed-in admin; resolves to the server's view of it. */
export async function addPasskey<T>(name: string, csrfToken: string): Promise<T> {
  ensureSupport();
  const optionsJSON = await callApi<Parameters<typeof startRegistration>[0]["optionsJSON"]>("/panel/api/setting/passkeys/registerOptions", {
    method: "POST",
    body: { name },
    csrfToken,
  });
  let response: Awaited<ReturnType<typeof startRegistration>>;
  try {
    response = await startRegistration({ optionsJSON });
  } catch (error) {
    throw promptError(error, "add");
  }
  return callApi<T>("/panel/api/setting/passkeys/register", { method: "POST", body: { name, response }, csrfToken });
}

/** An assertion for the options at `optionsPath` (login or re-authentication). */
export async function passkeyAssertion(optionsPath: string, csrfToken: string, purpose: "signIn" | "confirm") {
  ensureSupport();
  const optionsJSON = await callApi<Parameters<typeof startAuthentication>[0]["optionsJSON"]>(optionsPath, {
    method: "POST",
    body: {},
    csrfToken,
  });
  try {
    return await startAuthentication({ optionsJSON });
  } catch (error) {
    throw promptError(error, purpose);
  }
}

/**
 * Signs in with a passkey: alone (passwordless), or with `credentials` when
 * the passkey is the second factor after the password.
 */
export async function signInWithPasskey(credentials?: { username: string; password: string }): Promise<void> {
  // The CSRF token (and the cookie the challenge is bound to) come from /csrf-token.
  const csrfToken = await callApi<string>("/csrf-token");
  const response = await passkeyAssertion("/login/passkey/options", csrfToken, "signIn");
  await callApi("/login/passkey", { method: "POST", body: { ...credentials, response }, csrfToken });
}
