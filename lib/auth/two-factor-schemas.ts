import { z } from "zod";

/** What the two-factor routes answer when something is not right. */
export const TWO_FACTOR_MSG = {
  alreadyEnabled: "two-factor sign-in is already on: turn it off first to set it up again",
  notEnabled: "two-factor sign-in is not on",
  noPending: "no setup is waiting to be confirmed: start the setup again",
  wrongSetupCode: "that code is not right: enter the 6-digit code your authenticator app shows for this panel now",
  wrongCode: "that code is not right: enter the current 6-digit code from your authenticator app, or an unused recovery code",
  codeRequired: "code is required",
  codeTooLong: "code is too long",
} as const;

/** `{code}`: a 6-digit TOTP code or a recovery code (spaces and dashes are ignored). */
export const twoFactorCodeBody = z.object({
  code: z
    .string({ error: (iss) => (iss.input === undefined || iss.input === null ? TWO_FACTOR_MSG.codeRequired : "code must be text") })
    .trim()
    .min(1, TWO_FACTOR_MSG.codeRequired)
    .max(64, TWO_FACTOR_MSG.codeTooLong),
});

export const twoFactorSetupView = z.object({
  secret: z.string().describe("Base32 TOTP secret, for typing into an app that cannot scan the QR code."),
  otpauthUri: z.string().describe("otpauth://totp/… (SHA-1, 6 digits, 30 s)."),
  qrSvg: z.string().describe("The otpauth URI as a QR code, an SVG document rendered by the panel."),
});

export const recoveryCodesView = z.object({
  recoveryCodes: z.array(z.string()).length(10).describe("Single-use codes, shown this once; the panel keeps only an HMAC of each."),
});

export const twoFactorStatusView = z.object({
  enabled: z.boolean(),
  enabledAt: z.number().int().nullable().describe("Unix ms 2FA was turned on, or null."),
  pending: z.boolean().describe("A setup was started and is waiting for its first code."),
  recoveryCodesLeft: z.number().int(),
});
