import { ApiError } from "@/lib/client/fetch";

/**
 * The API's refusals are short lower-case texts meant for bots (3x-ui's words,
 * kept verbatim on the wire). People get sentences: what went wrong and what to do.
 * Each rule matches a server text; the texts themselves live in server modules
 * (lib/tokens/schemas.ts, lib/auth/admins.ts) that the browser cannot import.
 */
const RULES: [RegExp, string | ((m: RegExpMatchArray) => string)][] = [
  [/^webhook URL must reach a public address/, "This address is on this machine or a private network, which the server does not send to. Use a public address, or ask whoever runs the panel to set WEBHOOK_ALLOW_PRIVATE=true."],
  [/^webhook URL's host name does not resolve$/, "The panel cannot find this host name. Check the spelling, or try again if your DNS is down."],
  [/^webhook URL must not contain a user name or password/, "Remove the user name and password from the URL: the signature tells your receiver the panel sent it."],
  [/^webhook URL must be an http/, "Enter a full http:// or https:// address."],
  [/^webhook not found$/, "This webhook no longer exists: it was deleted, perhaps in another tab."],
  [/^the webhook is turned off/, "Turn the webhook on first: a test goes the same way as a real delivery."],
  [/^the webhook was changed at the same time/, "Someone changed this webhook at the same time. Nothing was saved; close, look again and retry."],
  [/^a token with that name already exists$/, "Another token already has this name. Pick a different one."],
  [/^token name is required$/, "Give the token a name."],
  [/^token name must be 64 characters or fewer$/, "Use 64 characters or fewer for the name."],
  [/^token name must not contain control/, "Remove the invisible or control characters from the name."],
  [/^token name must be a string$/, "Give the token a name."],
  [/^scope must be /, "Choose one of the scopes in the list."],
  [/^expiresAt must be 0 \(never\) or a future/, "Pick an expiry in the future, or Never."],
  [/^token has expired/, "This token has expired: choose a new expiry for the new secret."],
  [/^token not found with expected scope$/, "This token’s scope was changed meanwhile. Nothing was changed; look again and retry."],
  [/^token not found$/, "This token no longer exists: it was deleted, perhaps in another tab."],
  [/^invalid token id$/, "This token no longer exists."],
  [/^allowedIps: "(.*)" is not an IPv4\/IPv6 address or CIDR range$/, (m) => `“${m[1]}” is not an IP address or CIDR range (e.g. 203.0.113.0/24).`],
  [/^allowedIps may hold at most (\d+) entries$/, (m) => `An allowlist holds at most ${m[1]} entries.`],
  [/^allowedIps must be /, "Write one IP address or CIDR range per line."],
  [/^expiresAt is required: the token policy limits tokens to (\d+) days$/, (m) => `The token policy requires an expiry within ${m[1]} days. Pick one.`],
  [/^expiresAt is too far away: the token policy limits tokens to (\d+) days/, (m) => `The token policy limits tokens to ${m[1]} days. Pick an earlier expiry.`],
  [/^allowedIps is required for admin-scope tokens/, "The token policy requires an IP allowlist on admin-scope tokens. Add the addresses it will be used from."],
  [/^defaultExpiryDays must not exceed maxLifetimeDays$/, "The default expiry cannot be longer than the maximum lifetime."],
  [/^(maxLifetimeDays|defaultExpiryDays) must be an integer/, `Enter a whole number of days, or leave it empty.`],
  [/^graceSeconds must be /, "Choose one of the grace periods in the list."],
  [/^rateLimitPerMinute must be an integer from 0 \(no limit\) to (\d+)$/, (m) => `Enter a whole number from 0 to ${Number(m[1]).toLocaleString("en")}, or leave it empty for no limit.`],
  [/^description must be at most (\d+) characters$/, (m) => `Keep the description to ${m[1]} characters or fewer.`],
  [/^description may not contain control characters$/, "Remove control characters from the description (line breaks are fine)."],
  [/^nothing to update/, "Nothing to save: no field was changed."],
  [/^nothing changed$/, "Nothing to save: no field was changed."],
  [/^invalid cursor$/, "That page of the list is out of date. Go back to the first page."],
  [/^current username or password is incorrect$/, "The current password is not right. Nothing was changed."],
  [/^new username is required$/, "Enter a username."],
  [/^new username must be (\d+) characters or fewer$/, (m) => `Use ${m[1]} characters or fewer for the username.`],
  [/^new username must not contain spaces or control characters$/, "A username cannot contain spaces or control characters."],
  [/^that username is already taken$/, "That username is taken. Pick another."],
  [/^new password must be at least (\d+) characters$/, (m) => `Use at least ${m[1]} characters for the new password.`],
  [/^new password must be (\d+) characters or fewer$/, (m) => `Use ${m[1]} characters or fewer for the new password.`],
  [/^oldUsername, oldPassword, newUsername and newPassword are required$/, "Fill in every field."],
  [/^too many failed login attempts; try again in (.+)$/, (m) => `Too many wrong passwords. Try again in ${m[1]}.`],
  [/^this API token is not permitted/, "This session may not do that."],
  [/^password or code is incorrect$/, "That is not right. Check it and try again."],
  [/^give your password, a two-factor code or a passkey$/, "Enter your password or a code."],
  [/^session not found$/, "That session has already ended."],
  [/^(from|to|limit|status|sort|scope|q|before|action|tokenId|target|format) /, "The filters are not valid. Clear them and try again."],
];

/** A sentence for a person: the action that failed and why, never the raw API text. */
export function explain(error: Error, action?: string): string {
  const message = error.message.trim();
  for (const [pattern, sentence] of RULES) {
    const match = message.match(pattern);
    if (match) return typeof sentence === "string" ? sentence : sentence(match);
  }
  if (error instanceof ApiError && error.status >= 500) {
    return `The panel had a problem on its side${action ? ` and could not ${action}` : ""}. Try again in a moment.`;
  }
  // Already a sentence (lib/client/fetch's own texts: offline, session ended).
  if (/^[A-Z]/.test(message)) return message;
  return `${action ? `Could not ${action}: ` : ""}${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? "" : "."}`;
}

/** Whether the refusal is about the named field (to show it under that field). */
export function isAbout(error: Error | null | undefined, field: "name" | "allowedIps" | "description" | "expiresAt" | "rateLimitPerMinute"): boolean {
  if (!error) return false;
  const m = error.message;
  switch (field) {
    case "name":
      return /^(a token with that name|token name)/.test(m);
    case "allowedIps":
      return /^allowedIps/.test(m);
    case "description":
      return /^description/.test(m);
    case "expiresAt":
      return /^(expiresAt|token has expired)/.test(m);
    case "rateLimitPerMinute":
      return /^rateLimitPerMinute/.test(m);
  }
}
