import { z } from "zod";
import { passkeyName, PASSKEY_NAME_MSG } from "./passkey-name";

/** Texts of the passkey API (tests and the Security page match on them). */
export const PASSKEY_MSG = {
  ...PASSKEY_NAME_MSG,
  responseInvalid: "response must be the passkey response the browser returned (a PublicKeyCredential as JSON)",
  idInvalid: "invalid passkey id",
  notFound: "passkey not found",
  challengeInvalid: "this passkey request has expired or was already used: start again",
  notVerified: "the passkey could not be verified: try again",
  alreadyRegistered: "this passkey is already registered",
  notAccepted: "this passkey was not accepted here: try another one, or sign in with your password",
  usernameInvalid: "username must be a string",
  passwordInvalid: "password must be a string",
  credentialsPair: "give both username and password (second-factor sign-in), or neither (passwordless sign-in)",
} as const;

/** Base64url text as WebAuthn JSON carries it; bounded so a huge body is refused before any work. */
const b64url = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9_-]*$/);

const credentialBase = {
  id: b64url(1400).min(1),
  rawId: b64url(1400).min(1),
  type: z.literal("public-key"),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
};

/** A `PublicKeyCredential` from navigator.credentials.create(), as JSON (RegistrationResponseJSON). */
export const registrationResponse = z.object(
  {
    ...credentialBase,
    response: z.object({
      clientDataJSON: b64url(8192).min(1),
      attestationObject: b64url(65536).min(1),
      transports: z.array(z.string().max(32)).max(10).optional(),
    }),
  },
  { error: PASSKEY_MSG.responseInvalid },
);

/** A `PublicKeyCredential` from navigator.credentials.get(), as JSON (AuthenticationResponseJSON). */
export const authenticationResponse = z.object(
  {
    ...credentialBase,
    response: z.object({
      clientDataJSON: b64url(8192).min(1),
      authenticatorData: b64url(8192).min(1),
      signature: b64url(2048).min(1),
      userHandle: b64url(512).optional(),
    }),
  },
  { error: PASSKEY_MSG.responseInvalid },
);

/** Any issue inside the response object gets one message: the caller sent something that is not a browser's answer. */
const asResponse = <T extends z.ZodType>(schema: T) =>
  z.unknown().transform((v, ctx): z.output<T> => {
    const parsed = schema.safeParse(v);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: "custom", message: PASSKEY_MSG.responseInvalid });
    return z.NEVER;
  });

export const passkeyIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9]{1,16}$/, PASSKEY_MSG.idInvalid)
    .transform(Number)
    .refine((id) => Number.isSafeInteger(id) && id > 0, PASSKEY_MSG.idInvalid)
    .describe("Passkey id: a positive integer."),
});

export const registerOptionsBody = z.object({ name: passkeyName.optional() });
export const registerBody = z.object({ name: passkeyName, response: asResponse(registrationResponse) });
export const renamePasskeyBody = z.object({ name: passkeyName });
export const reauthOptionsBody = z.object({});

const optionalText = (msg: string) =>
  z.preprocess((v) => (v === null || v === "" ? undefined : v), z.string({ error: msg }).max(1024, msg).optional());

/**
 * `POST /login/passkey`: a passkey alone (passwordless), or with the admin's
 * username and password (the passkey as the second factor).
 */
export const passkeyLoginBody = z
  .object({
    response: asResponse(authenticationResponse),
    username: optionalText(PASSKEY_MSG.usernameInvalid),
    password: optionalText(PASSKEY_MSG.passwordInvalid),
  })
  .refine((b) => (b.username === undefined) === (b.password === undefined), { message: PASSKEY_MSG.credentialsPair });
export type PasskeyLoginInput = z.output<typeof passkeyLoginBody>;

/** What the panel shows of a passkey: never its public key or full credential id. */
export const passkeyView = z.object({
  id: z.number().int(),
  name: z.string(),
  createdAt: z.number().int().describe("Unix ms."),
  lastUsedAt: z.number().int().nullable().describe("Unix ms of the last sign-in or confirmation with it; null if never."),
  deviceType: z.enum(["singleDevice", "multiDevice"]).describe("multiDevice: a synced passkey (iCloud Keychain, Google Password Manager…)."),
  backedUp: z.boolean(),
  transports: z.array(z.string()),
});
export type PasskeyView = z.output<typeof passkeyView>;

const descriptor = z.object({ id: z.string(), type: z.string(), transports: z.array(z.string()).optional() });

/** `navigator.credentials.create()` options as JSON (what @simplewebauthn/browser's startRegistration takes). */
export const creationOptions = z.object({
  challenge: z.string(),
  rp: z.object({ name: z.string(), id: z.string().optional() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.object({ alg: z.number(), type: z.string() })),
  timeout: z.number().optional(),
  excludeCredentials: z.array(descriptor).optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.string().optional(),
      residentKey: z.string().optional(),
      requireResidentKey: z.boolean().optional(),
      userVerification: z.string().optional(),
    })
    .optional(),
  hints: z.array(z.string()).optional(),
  attestation: z.string().optional(),
});

/** `navigator.credentials.get()` options as JSON (what @simplewebauthn/browser's startAuthentication takes). */
export const requestOptions = z.object({
  challenge: z.string(),
  timeout: z.number().optional(),
  rpId: z.string().optional(),
  allowCredentials: z.array(descriptor).optional(),
  userVerification: z.string().optional(),
  hints: z.array(z.string()).optional(),
});
