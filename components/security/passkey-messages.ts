import { ApiError } from "@/lib/client/fetch";
import { PasskeyPromptError } from "@/lib/client/passkeys";
import { explain } from "./messages";

/**
 * The passkey API's refusals in sentences. The re-authentication text is
 * shown as the server words it (the page's "confirm it's you" dialog opens on it).
 */
const RULES: [RegExp, string][] = [
  [/^passkey name is required$/, "Give the passkey a name."],
  [/^passkey name must be (\d+) characters or fewer$/, "Use 64 characters or fewer for the name."],
  [/^passkey name must not contain control/, "Remove the invisible or control characters from the name."],
  [/^passkey not found$/, "This passkey no longer exists: it was removed, perhaps in another tab."],
  [/^this passkey request has expired or was already used/, "The passkey request expired. Nothing was changed; try again."],
  [/^the passkey could not be verified/, "The panel could not verify that passkey. Nothing was added; try again."],
  [/^this passkey is already registered$/, "That passkey is already on your list. Nothing was added."],
  [/^an admin may have at most (\d+) passkeys/, "You have the most passkeys allowed. Remove one first."],
  [/^this passkey was not accepted here/, "That passkey is not registered with this panel. Try another one, or sign in with your password."],
  [/^passkeys are added and confirmed from a signed-in browser/, "Passkeys are added from a signed-in browser."],
];

export function passkeyMessage(error: Error, action: string): string {
  if (error instanceof PasskeyPromptError) return error.message;
  // The re-authentication refusal (lib/auth/reauth.ts REAUTH_MSG), shown as the server words it.
  if (error instanceof ApiError && error.status === 403 && /^confirm it's you/.test(error.message)) {
    return `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
  }
  for (const [pattern, sentence] of RULES) if (pattern.test(error.message)) return sentence;
  return explain(error, action);
}
