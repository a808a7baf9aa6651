import "server-only";
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { databaseSettings } from "@/db/settings";
import { fsyncPath } from "@/lib/fsync";

/**
 * The panel's own secret: 32 bytes from `PANEL_SECRET_KEY` (64 hex characters,
 * or the base64 of 32 bytes), else from `panel.key` next to the embedded
 * database (created with mode 0600 on first start). Nothing uses it directly:
 * each purpose gets its own key derived with HKDF, so a key for one job (the
 * throttle's HMAC) can never decrypt another's data (TOTP secrets).
 */
export const PANEL_KEY_FILE = "panel.key";
export const PANEL_KEY_ENV = "PANEL_SECRET_KEY";
const KEY_BYTES = 32;

export type PanelKeySource = { kind: "env" } | { kind: "file"; path: string; created: boolean };

export interface PanelKey {
  key: Buffer;
  source: PanelKeySource;
}

export class PanelKeyError extends Error {
  override readonly name = "PanelKeyError";
}

const ENV_HELP = `${PANEL_KEY_ENV} must be 64 hex characters or the base64 of 32 bytes (make one with: openssl rand -hex 32)`;

/** The key `PANEL_SECRET_KEY` holds, or null when it is unset; anything else than 32 bytes is refused. */
export function parsePanelKey(text: string | undefined): Buffer | null {
  const value = text?.trim();
  if (!value) return null;
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new PanelKeyError(ENV_HELP);
}

/**
 * Where the key file lives: the directory of the embedded database file
 * (`data/` by default). With a libSQL server (or `:memory:`) there is no such
 * directory, and `data/` under the working directory is used.
 */
export function panelKeyPath(databaseUrl: string, cwd = process.cwd()): string {
  const file = databaseUrl.startsWith("file:") ? decodeURIComponent(databaseUrl.slice("file:".length).split("?")[0] ?? "") : "";
  const dir = file && file !== ":memory:" ? path.dirname(path.resolve(cwd, file)) : path.resolve(cwd, "data");
  return path.join(dir, PANEL_KEY_FILE);
}

/** Reads the key file, refusing one that is not 64 hex characters or that others than its owner may read. */
export function readPanelKeyFile(file: string): Buffer {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new PanelKeyError(
      `${file} is readable by others (mode ${mode.toString(8).padStart(4, "0")}): it guards the two-factor secrets; run chmod 600 ${file}`,
    );
  }
  const text = readFileSync(file, "utf8").trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new PanelKeyError(`${file} is not a panel key (expected 64 hex characters, found ${text.length} characters)`);
  }
  return Buffer.from(text, "hex");
}

/** Writes `key` under a private name beside `file`, synced to disk; the caller links or renames it into place. */
function writeDraft(file: string, key: Buffer): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(draft, "wx", 0o600);
  try {
    writeSync(fd, `${key.toString("hex")}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return draft;
}

/**
 * Creates the key file unless it exists; true when this call created it. The
 * hard link either publishes a complete file or fails because one exists, so
 * instances starting at once on one directory never read a half-written key
 * and all agree on the first one published.
 */
function createPanelKeyFile(file: string): boolean {
  if (existsSync(file)) return false;
  const draft = writeDraft(file, randomBytes(KEY_BYTES));
  try {
    linkSync(draft, file);
    fsyncPath(path.dirname(file));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Replaces the key file with `key` (restore): at every instant the file holds the old key or the new one, whole. */
export function replacePanelKeyFile(file: string, key: Buffer): void {
  const draft = writeDraft(file, key);
  try {
    renameSync(draft, file);
    fsyncPath(path.dirname(file));
  } finally {
    rmSync(draft, { force: true });
  }
}

/** The key from the environment or the key file, creating the file on first start. */
export function loadPanelKey(env: Record<string, string | undefined>, databaseUrl: string, cwd = process.cwd()): PanelKey {
  const fromEnv = parsePanelKey(env[PANEL_KEY_ENV]);
  if (fromEnv) return { key: fromEnv, source: { kind: "env" } };
  const file = panelKeyPath(databaseUrl, cwd);
  let created: boolean;
  try {
    created = createPanelKeyFile(file);
  } catch (error) {
    throw new PanelKeyError(`cannot create the panel key ${file} (${(error as Error).message}); set ${PANEL_KEY_ENV} instead`);
  }
  return { key: readPanelKeyFile(file), source: { kind: "file", path: file, created } };
}

const store = ((globalThis as Record<symbol, { key?: PanelKey }>)[Symbol.for("xui-panel.panel-key")] ??= {});

/** This process's panel key (read once). */
export function panelKey(): PanelKey {
  store.key ??= loadPanelKey(process.env, databaseSettings().url);
  return store.key;
}

export type KeyPurpose = "totp-secret" | "webhook-secret" | "throttle" | "recovery-code";
type BoxPurpose = "totp-secret" | "webhook-secret";

const derived = new Map<KeyPurpose, Buffer>();

/** A key for one purpose only (HKDF-SHA256 of the panel key). */
export function purposeKey(purpose: KeyPurpose): Buffer {
  let key = derived.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", panelKey().key, Buffer.alloc(0), `xui-panel ${purpose} v1`, KEY_BYTES));
    derived.set(purpose, key);
  }
  return key;
}

/** HMAC-SHA256 of `text` under the purpose's key, hex. */
export function keyedHash(purpose: "throttle" | "recovery-code", text: string): string {
  return createHmac("sha256", purposeKey(purpose)).update(text).digest("hex");
}

const BOX_VERSION = "v1";

/** AES-256-GCM under the purpose's key: `v1.<iv>.<ciphertext>.<tag>` (base64url), a fresh 12-byte IV each time. */
export function encryptSecret(plaintext: string, context: string, purpose: BoxPurpose = "totp-secret"): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", purposeKey(purpose), iv);
  // The context is authenticated: a TOTP box (context: the admin's id) copied to another admin's row does not open.
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [BOX_VERSION, iv, body, cipher.getAuthTag()].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

/** The plaintext of encryptSecret()'s box; throws a PanelKeyError when the box is not ours or the key differs. */
export function decryptSecret(box: string, context: string, purpose: BoxPurpose = "totp-secret"): string {
  const [version, iv, body, tag] = box.split(".");
  if (version !== BOX_VERSION || !iv || !body || !tag) throw new PanelKeyError("unknown encrypted secret format");
  try {
    const decipher = createDecipheriv("aes-256-gcm", purposeKey(purpose), Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new PanelKeyError(
      `a ${purpose === "totp-secret" ? "two-factor" : "webhook signing"} secret cannot be decrypted with this panel key: was it made by an instance with another ${PANEL_KEY_ENV} or ${PANEL_KEY_FILE}?`,
    );
  }
}
