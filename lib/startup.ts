import "server-only";
import { initDatabase } from "@/db";
import { flushAggregated, setAuditRetention } from "@/lib/audit/aggregate";
import { serverConfig } from "@/lib/config";
import { ensureFirstAdmin, weakPasswordReason } from "@/lib/auth/admins";
import { PANEL_KEY_ENV, panelKey } from "@/lib/crypto/panel-key";
import { flushLogs, logInfo, logWarn } from "@/lib/log";
import { ensurePanelGuid } from "@/lib/server-status/panel-guid";
import { setPanelGuid } from "@/lib/server-status/snapshot";
import { backfillNameKeys } from "@/lib/tokens/name-keys";
import { flushTokenUsage } from "@/lib/tokens/usage";
import { startWebhookWorker, stopWebhookWorker } from "@/lib/webhooks/worker";

interface StartupState {
  done?: Promise<void>;
  /** Called by scripts/server.mts on SIGTERM/SIGINT: writes what is still buffered. */
  shutdown?: () => Promise<void>;
}

/**
 * On globalThis: scripts/server.mts, outside Next's bundle, waits for `done`
 * before it listens (and exits if it failed: Next only logs a failed
 * instrumentation hook), and calls `shutdown` on SIGTERM. So the panel never
 * accepts a request it cannot serve, and the first admin's password is
 * printed before "ready".
 */
const state: StartupState = ((globalThis as Record<symbol, StartupState>)[Symbol.for("xui-panel.startup")] ??= {});

/** Database ready, first admin present. Runs once per process. */
export function startPanel(): Promise<void> {
  state.done ??= start();
  return state.done;
}

async function start(): Promise<void> {
  const config = serverConfig(); // a bad setting stops the server before the database is opened
  checkPanelKey(config.databaseUrl);
  const { db } = await initDatabase();
  await backfillNameKeys(db);
  setAuditRetention(db, config.auditRetention);
  const panelGuid = await ensurePanelGuid(db);
  setPanelGuid(panelGuid);
  startWebhookWorker(db, panelGuid, { allowPrivate: config.webhookAllowPrivate, retryMs: config.webhookRetryMs });
  state.shutdown = async () => {
    stopWebhookWorker();
    await Promise.all([flushAggregated(db), flushTokenUsage(db)]);
    flushLogs();
  };
  const username = process.env.ADMIN_USERNAME?.trim();
  const password = process.env.ADMIN_PASSWORD;
  if (Boolean(username) !== Boolean(password)) {
    logWarn("ADMIN_USERNAME and ADMIN_PASSWORD must be set together; ignoring them");
  }
  const result = await ensureFirstAdmin(db, { username, password });
  if (!result.created) return;
  if (result.source === "env") {
    logInfo("created the first admin from ADMIN_USERNAME/ADMIN_PASSWORD", { username: result.username });
    const weak = weakPasswordReason(password ?? "");
    if (weak) logWarn(`ADMIN_PASSWORD is weak: ${weak}; change it in Settings → Security`);
    return;
  }
  // The one time this password exists outside the admin's head: on the
  // operator's terminal, never in a log field or the database.
  process.stdout.write(
    [
      "",
      "================================================================",
      "  xui-panel: created the first admin account",
      `    username: ${result.username}`,
      `    password: ${result.password}`,
      "  This password is shown only once. Sign in and change it under",
      "  Settings → Security.",
      "================================================================",
      "",
    ].join("\n") + "\n",
  );
}

/** A bad PANEL_SECRET_KEY or key file stops the server here, before anything relies on it. */
function checkPanelKey(databaseUrl: string): void {
  const { source } = panelKey();
  if (source.kind !== "file") return;
  if (source.created) logInfo("created the panel key (it encrypts two-factor secrets); back it up with the database", { file: source.path });
  if (!databaseUrl.startsWith("file:")) {
    logWarn(
      `${PANEL_KEY_ENV} is not set: this instance keeps its panel key in ${source.path}. Every instance on one libSQL server ` +
        `must share one key, or two-factor codes enrolled on one are refused on the others: set the same ${PANEL_KEY_ENV} on all of them`,
    );
  }
}
