import { displayName } from "@/lib/display-name";

/**
 * The token-name rule, shared by the API (./schemas) and the Security page's
 * create form, which checks names as they are typed. Browser-safe.
 */
export const NAME_MAX_CHARS = 64;

/** The peer panel's (3x-ui) texts word for word, then our own additions. */
export const NAME_MSG = {
  nameRequired: "token name is required",
  nameTooLong: "token name must be 64 characters or fewer",
  nameNotString: "token name must be a string",
  nameControlChars: "token name must not contain control or invisible formatting characters",
} as const;

export const tokenName = displayName(
  { required: NAME_MSG.nameRequired, notString: NAME_MSG.nameNotString, tooLong: NAME_MSG.nameTooLong, hiddenChars: NAME_MSG.nameControlChars },
  NAME_MAX_CHARS,
);
