import { displayName } from "@/lib/display-name";

/** The passkey-name rule, shared by the API and the Security page's forms. Browser-safe. */
export const PASSKEY_NAME_MAX_CHARS = 64;

export const PASSKEY_NAME_MSG = {
  required: "passkey name is required",
  tooLong: `passkey name must be ${PASSKEY_NAME_MAX_CHARS} characters or fewer`,
  notString: "passkey name must be a string",
  controlChars: "passkey name must not contain control or invisible formatting characters",
} as const;

export const passkeyName = displayName({ ...PASSKEY_NAME_MSG, hiddenChars: PASSKEY_NAME_MSG.controlChars }, PASSKEY_NAME_MAX_CHARS);
