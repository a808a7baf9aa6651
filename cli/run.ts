import { systemContext } from "@/lib/audit/context";
import { chmodSync, constants, copyFileSync, existsSync, linkSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z, ZodError } from "zod";
import { isEmbeddedUrl, openDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { auditStatement } from "@/lib/audit/record";
import { updateCredentialsBody, resetAdmin } from "@/lib/auth/admins";
import { revokeAllSessionsOf } from "@/lib/auth/active-sessions";
import { commitEndingAllSessions } from "@/lib/auth/session-ends";
import { disableTwoFactorByOperator } from "@/lib/auth/two-factor";
import { serverConfig } from "@/lib/config";
import { PANEL_KEY_ENV, panelKeyPath, readPanelKeyFile, replacePanelKeyFile } from "@/lib/crypto/panel-key";
import { DomainError } from "@/lib/errors";
import { importXuiTokens } from "@/lib/tokens/import-3x-ui";
import { createTokenBody, MSG, type TokenView } from "@/lib/tokens/schemas";
import { createToken, deleteToken, listTokens, setTokenEnabled } from "@/lib/tokens/service";
import { DURATION_HELP, parseDuration } from "./duration";
import { CliError, UsageError } from "./errors";
import { formatTokenTable } from "./table";
import { restoreDatabase } from "./restore";
import { readXuiTokenRows } from "./xui-source";
import { backfillNameKeys } from "@/lib/tokens/name-keys";

export const USAGE = `Usage: npm run panel -- <command> [options]

Works on the database in DATABASE_URL (default file:data/panel.db; DATABASE_AUTH_TOKEN for a
libSQL server), with or without the panel running. Migrations are applied first.

Commands:
  token create --name <name> [--scope admin|monitor|node-sync] [--expires-in <duration>] [--allowed-ips <cidr,…>]
        Mint a token and print only its plaintext on stdout (shown this once).
        <duration> is ${DURATION_HELP}, or never; default: the token policy's default expiry (never
        when it has none).
  token list [--json]
        List the tokens: a table, or with --json the API's token views as JSON.
  token enable <id|name>
  token disable <id|name>
        Turn a token on or off; a disabled token fails on its very next request.
  token delete <id|name>
        Delete a token for good.
  admin reset --username <username> --password <password>
        Set this admin's password (creating the admin if there is none by that name)
        and end all of its sessions. --password - reads it from stdin instead, so it
        stays out of the process list and the shell history.
  admin sessions revoke --username <username>
        Sign that admin out everywhere: every session ends on its next request, on
        every instance. Audited.
  admin 2fa disable --username <username>
        Turn two-factor sign-in off for this admin (lost phone and recovery codes),
        void its recovery codes and end all of its sessions.
  backup <file>
        Write a consistent copy of the database to <file> (VACUUM INTO), also while
        the panel runs. Embedded databases only; never overwrites an existing file.
        The panel key (it encrypts two-factor secrets) goes to <file>.key (mode 0600)
        when it comes from the key file; with ${PANEL_KEY_ENV} keep that value instead.
  restore <file>
        Put a backup made by \`backup\` in place of the database. Refused while any panel
        (or other program) has the database open: stop them first. The database that
        was there is kept next to it as <name>.before-restore-<time>; every session
        ends, and the restore is in the audit log. Embedded databases only.
        A <file>.key next to the backup is put back as the panel key file (the one
        there is kept as panel.key.before-restore-<time>).
  import-3x-ui <x-ui.db> [--json]
        Copy the API tokens of a 3x-ui database (opened read-only), keeping their
        hashes so bots holding them keep working. Names already taken and invalid
        rows are reported and skipped; the rest is imported in one transaction.

<id|name>: a number is a token id, unless no token has that id and one is named
exactly that; anything else is a name.
Relative file paths are relative to the directory you run the command in.

Exit codes: 0 done, 1 the command failed, 2 wrong command line.
`;

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Where relative file arguments are resolved (the caller's working directory). */
  cwd: string;
  /** Whether stderr is a terminal (for hints that would only clutter a script's logs). */
  interactive: boolean;
  /** All of standard input. */
  readStdin(): Promise<string>;
}

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** node:util parseArgs in strict mode, with its errors turned into usage errors. */
function parse(args: string[], options: Record<string, { type: "string" | "boolean" }>, positionals: number): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals > 0 }) as Parsed;
  } catch (error) {
    throw new UsageError((error as Error).message.split(". ")[0]!);
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument '${parsed.positionals[positionals]}'`);
  return parsed;
}

function requireString(parsed: Parsed, option: string): string {
  const value = parsed.values[option];
  if (typeof value !== "string") throw new UsageError(`--${option} is required`);
  return value;
}

function requirePositional(parsed: Parsed, what: string): string {
  const value = parsed.positionals[0];
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}

/**
 * `<id|name>` → the token. A purely numeric argument is an id, unless no token
 * has that id and one is named exactly that (a token may be called "2024").
 */
export function findTokenRef(tokens: readonly TokenView[], ref: string): TokenView | undefined {
  const byId = /^[0-9]+$/.test(ref) ? tokens.find((t) => t.id === Number(ref)) : undefined;
  return byId ?? tokens.find((t) => t.name === ref);
}

/** Audit rows written by the command line name it as the actor. */
const CLI = systemContext("cli");

type Command = (args: string[], io: CliIO, db: () => Promise<DatabaseHandle>) => Promise<void>;

const tokenCommands: Record<string, Command> = {
  async create(args, io, open) {
    const parsed = parse(
      args,
      { name: { type: "string" }, scope: { type: "string" }, "expires-in": { type: "string" }, "allowed-ips": { type: "string" } },
      0,
    );
    const now = Date.now();
    // Absent: the token policy's default expiry.
    let expiresAt: number | undefined;
    const expiresIn = parsed.values["expires-in"];
    if (expiresIn === "never") expiresAt = 0;
    else if (typeof expiresIn === "string") {
      const ms = parseDuration(expiresIn);
      if (ms === null) throw new UsageError(`invalid duration '${expiresIn}': use ${DURATION_HELP}`);
      expiresAt = now + ms;
    }
    // The API's own schema: same trimming, limits and messages as POST …/create.
    const ips = parsed.values["allowed-ips"];
    const allowedIps = typeof ips === "string" ? ips.split(",").map((entry) => entry.trim()).filter(Boolean) : undefined;
    const input = createTokenBody.parse({ name: requireString(parsed, "name"), scope: parsed.values.scope, expiresAt, allowedIps });
    const { db } = await open();
    const created = await createToken(db, input, CLI, now);
    io.out(`${created.token}\n`);
    if (io.interactive) {
      io.err(`Created token ${created.id} "${created.name}" (scope ${created.scope}). Copy it now: it is not shown again.\n`);
    }
  },

  async list(args, io, open) {
    const parsed = parse(args, { json: { type: "boolean" } }, 0);
    const { db } = await open();
    const tokens = await listTokens(db);
    io.out(parsed.values.json ? `${JSON.stringify(tokens, null, 2)}\n` : formatTokenTable(tokens));
  },

  enable: (args, io, open) => switchToken(args, io, open, true),
  disable: (args, io, open) => switchToken(args, io, open, false),

  async delete(args, io, open) {
    const ref = requirePositional(parse(args, {}, 1), "<id|name>");
    const { db } = await open();
    const token = await resolveToken(db, ref);
    await deleteToken(db, { id: token.id }, CLI);
    io.out(`Deleted token ${token.id} "${token.name}".\n`);
  },
};

async function resolveToken(db: DatabaseHandle["db"], ref: string): Promise<TokenView> {
  const token = findTokenRef(await listTokens(db), ref);
  if (!token) throw new CliError(`${MSG.notFound}: no token has the id or name '${ref}'`);
  return token;
}

async function switchToken(args: string[], io: CliIO, open: () => Promise<DatabaseHandle>, enabled: boolean): Promise<void> {
  const ref = requirePositional(parse(args, {}, 1), "<id|name>");
  const { db } = await open();
  const token = await resolveToken(db, ref);
  await setTokenEnabled(db, { id: token.id, enabled }, CLI);
  io.out(`${enabled ? "Enabled" : "Disabled"} token ${token.id} "${token.name}".\n`);
}

/** The rules of the API's credential change, for the operator's way back in. */
const adminResetInput = z.object({
  username: updateCredentialsBody.shape.newUsername,
  password: updateCredentialsBody.shape.newPassword,
});

const twoFactorCommands: Record<string, Command> = {
  async disable(args, io, open) {
    const username = requireString(parse(args, { username: { type: "string" } }, 0), "username");
    const { db } = await open();
    const { wasEnabled } = await disableTwoFactorByOperator(db, username, CLI, Date.now());
    io.out(
      wasEnabled
        ? `Turned two-factor sign-in off for admin "${username}", voided its recovery codes and ended its sessions.\n`
        : `Two-factor sign-in was not on for admin "${username}"; its sessions ended.\n`,
    );
  },
};

const adminCommands: Record<string, Command> = {
  "2fa": (args, io, open) => subcommand("admin 2fa", twoFactorCommands, args, io, open),

  async reset(args, io, open) {
    const parsed = parse(args, { username: { type: "string" }, password: { type: "string" } }, 0);
    const username = requireString(parsed, "username");
    let password = requireString(parsed, "password");
    // The first line of stdin; `echo pw | …` and a here-string both end it with a newline.
    if (password === "-") password = (await io.readStdin()).split(/\r?\n/)[0] ?? "";
    const input = adminResetInput.parse({ username, password });
    const { db } = await open();
    const { created } = await resetAdmin(db, input.username, input.password);
    io.out(
      created
        ? `Created admin "${input.username}" with the given password.\n`
        : `Set the password of admin "${input.username}" and ended its sessions.\n`,
    );
  },
  sessions: (args, io, open) => subcommand("admin sessions", adminSessionCommands, args, io, open),
};

const adminSessionCommands: Record<string, Command> = {
  async revoke(args, io, open) {
    const username = requireString(parse(args, { username: { type: "string" } }, 0), "username");
    const { db } = await open();
    const count = await revokeAllSessionsOf(db, username, CLI, Date.now());
    io.out(`Signed out ${count} session${count === 1 ? "" : "s"} of admin "${username}".\n`);
  },
};

/** The file behind an embedded DATABASE_URL (`file:data/panel.db?…` → `data/panel.db`); backup and restore need one. */
function embeddedFile(url: string, command: string): string {
  const file = url.startsWith("file:") ? decodeURIComponent(url.slice("file:".length).split("?")[0]!) : "";
  if (!isEmbeddedUrl(url) || !file || file === ":memory:") {
    throw new CliError(`${command} works on an embedded database (file:…); back up and restore a libSQL server with its own tools`);
  }
  return path.resolve(file);
}

const commands: Record<string, Command> = {
  token: (args, io, open) => subcommand("token", tokenCommands, args, io, open),
  admin: (args, io, open) => subcommand("admin", adminCommands, args, io, open),

  async backup(args, io, open) {
    const target = path.resolve(io.cwd, requirePositional(parse(args, {}, 1), "<file>"));
    embeddedFile(serverConfig().databaseUrl, "backup");
    if (existsSync(target)) throw new CliError(`${target} already exists; choose a new file name`);
    const handle = await open();
    try {
      // One read transaction: a consistent snapshot even while the panel writes (WAL).
      await handle.client.execute({ sql: "VACUUM INTO ?", args: [target] });
    } catch (error) {
      throw new CliError(`cannot write ${target}: ${(error as Error).message}`);
    }
    io.out(`Backed up the database to ${target} (${statSync(target).size} bytes).\n`);
    io.out(backupKey(io, target));
  },

  async restore(args, io, open) {
    const source = path.resolve(io.cwd, requirePositional(parse(args, {}, 1), "<file>"));
    const target = embeddedFile(serverConfig().databaseUrl, "restore");
    // A key copy that is not a key, or that others may read, is refused before anything is replaced.
    if (!io.env[PANEL_KEY_ENV]?.trim() && existsSync(`${source}.key`)) readPanelKeyFile(`${source}.key`);
    const report = restoreDatabase(target, source);
    const keyNote = restoreKey(io, source, target);
    // Migrated to this version; sessions of the backup's time are not honoured again.
    const { db } = await open();
    await commitEndingAllSessions(db, [
      auditStatement(db, CLI, {
        action: "database.restore",
        target: { type: "database", name: path.basename(target) },
        // File names only: the audit log is read over the API, and server paths are not its business.
        detail: {
          backup: path.basename(source),
          previous: report.previous && path.basename(report.previous),
          tokens: report.tokens,
          backupNewestEventAt: report.newestEventAt,
        },
      }, Date.now()),
    ]);
    const taken = report.newestEventAt ? ` (its newest audit event: ${new Date(report.newestEventAt).toISOString()})` : "";
    io.out(
      `Restored ${source}${taken} into ${target}: ${report.tokens} tokens, ${report.enabledTokens} enabled; every session ended.\n` +
        (report.previous ? `The database that was there is kept at ${report.previous}.\n` : "") +
        "Tokens deleted, disabled or rotated since the backup are as they were then: review them (token list).\n" +
        keyNote,
    );
  },

  async "import-3x-ui"(args, io, open) {
    const parsed = parse(args, { json: { type: "boolean" } }, 1);
    const source = path.resolve(io.cwd, requirePositional(parsed, "<x-ui.db>"));
    const rows = readXuiTokenRows(source);
    const { db } = await open();
    const report = await importXuiTokens(db, rows, CLI);
    if (parsed.values.json) {
      io.out(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    for (const t of report.imported) io.out(`imported  ${t.id}  "${t.name}"${t.expired ? "  (already expired)" : ""}\n`);
    for (const s of report.skipped) io.out(`skipped   "${s.name}": ${s.reason}\n`);
    io.out(`${report.imported.length} imported, ${report.skipped.length} skipped (of ${rows.length} in ${source}).\n`);
  },
};

/** Next to a backup: the key file's copy (two-factor secrets are unreadable without it), or what to keep instead. */
function backupKey(io: CliIO, backup: string): string {
  if (io.env[PANEL_KEY_ENV]?.trim()) {
    return `The panel key comes from ${PANEL_KEY_ENV}: keep that value with the backup; a restore needs the same key for two-factor sign-in.\n`;
  }
  // Never made here: a key created now would not be the one the panel uses (it may have its key from
  // PANEL_SECRET_KEY in its service environment, which this shell does not see).
  const keyFile = panelKeyPath(serverConfig().databaseUrl);
  if (!existsSync(keyFile)) {
    return `No panel key file at ${keyFile}: if the panel gets ${PANEL_KEY_ENV} from its environment, keep that value with the backup; a restore needs the same key for two-factor sign-in.\n`;
  }
  readPanelKeyFile(keyFile);
  const copy = `${backup}.key`;
  if (existsSync(copy)) throw new CliError(`${copy} already exists; choose a new file name`);
  copyFileSync(keyFile, copy, constants.COPYFILE_EXCL);
  chmodSync(copy, 0o600);
  return `Copied the panel key to ${copy} (mode 0600): keep it with the backup and as private as the database.\n`;
}

/** Puts `<backup>.key` back as the key file; says what the restore needs otherwise. */
function restoreKey(io: CliIO, backup: string, databaseFile: string): string {
  const copy = `${backup}.key`;
  if (io.env[PANEL_KEY_ENV]?.trim()) {
    return `The panel key comes from ${PANEL_KEY_ENV}: it must be the key of the panel that made the backup, or two-factor codes are refused.\n`;
  }
  if (!existsSync(copy)) {
    return `No ${path.basename(copy)} next to the backup: the panel key file is left as it is; two-factor codes work only if it is the key the backup was made with.\n`;
  }
  const keyFile = panelKeyPath(`file:${databaseFile}`);
  let kept = "";
  if (existsSync(keyFile)) {
    kept = `${keyFile}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    linkSync(keyFile, kept);
  }
  replacePanelKeyFile(keyFile, readPanelKeyFile(copy));
  return `Put the panel key ${copy} back as ${keyFile}${kept ? ` (the one there is kept at ${kept})` : ""}.\n`;
}

async function subcommand(
  group: string,
  table: Record<string, Command>,
  args: string[],
  io: CliIO,
  open: () => Promise<DatabaseHandle>,
): Promise<void> {
  const [name, ...rest] = args;
  if (name === undefined) throw new UsageError(`missing ${group} command (${Object.keys(table).join(", ")})`);
  const command = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!command) throw new UsageError(`unknown ${group} command '${name}' (${Object.keys(table).join(", ")})`);
  await command(rest, io, open);
}

/**
 * One line for stderr: no stack, no multi-line config dump, and none of the
 * bound parameters Drizzle appends to a failed query's message ("params: …").
 */
function oneLine(message: string): string {
  return message
    .split(/\nparams:/)[0]!
    .replace(/\s*\n\s*/g, "; ")
    .trim();
}

/** Runs one command line; resolves to the process exit code. Errors go to stderr as one line. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(USAGE);
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.out(USAGE);
    return 0;
  }
  let handle: DatabaseHandle | undefined;
  // Opened on first use, so usage errors never touch (or create) the database.
  const open = async () => {
    if (!handle) {
      const config = serverConfig();
      handle = openDatabase(config.databaseUrl, config.databaseAuthToken);
      await migrateDatabase(handle);
      await backfillNameKeys(handle.db);
    }
    return handle;
  };
  try {
    if (args.includes("--help") || args.includes("-h")) {
      io.out(USAGE);
      return 0;
    }
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!command) throw new UsageError(`unknown command '${name}'`);
    await command(args, io, open);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ZodError) {
      const message = error instanceof ZodError ? (error.issues[0]?.message ?? "invalid input") : error.message;
      io.err(`panel: ${oneLine(message)} (see: npm run panel -- --help)\n`);
      return 2;
    }
    const message = error instanceof CliError || error instanceof DomainError ? error.message : `${(error as Error)?.message ?? error}`;
    io.err(`panel: ${oneLine(message)}\n`);
    return 1;
  } finally {
    // A ws:// client keeps the process alive until closed.
    handle?.close();
  }
}
