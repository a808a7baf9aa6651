import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { ensurePanelGuid } from "@/lib/server-status/panel-guid";
import { ensureSqld } from "../support/sqld";
import { startSqldCluster, type SqldCluster } from "../support/sqld-replica";

/**
 * What a panel does at start on a sqld replica, which gives no read-your-writes
 * across statements: the panel GUID comes from the primary, never from a
 * replica that has not caught up (a lagging one had no row yet, and the panel
 * failed to start: "Cannot read properties of undefined (reading 'guid')").
 */
describe("a panel starting on a sqld replica", () => {
  let cluster: SqldCluster | undefined;
  const handles: DatabaseHandle[] = [];
  afterAll(async () => {
    for (const h of handles) h.close();
    await cluster?.stop();
  });

  it("gets the panel GUID stored on the primary, every time, even when the replica lags", async (ctx) => {
    const found = ensureSqld();
    if ("skipReason" in found) {
      console.warn(`[reliability] replica start-up SKIPPED: ${found.skipReason}`);
      ctx.skip(`sqld unavailable: ${found.skipReason}`);
      return;
    }
    cluster = await startSqldCluster(found.binary);
    const primary = openDatabase(cluster.primary.url);
    const replica = openDatabase(cluster.replica.url);
    handles.push(primary, replica);
    await migrateDatabase(primary);
    // Each round is a first start on this database: no row yet on the primary, and the replica is
    // still catching up with the delete (or has caught up, so it has no row either).
    for (let round = 0; round < 40; round++) {
      await primary.client.execute("DELETE FROM panel_info");
      const guid = await ensurePanelGuid(replica.db);
      const stored = await primary.client.execute("SELECT guid FROM panel_info WHERE id = 1");
      expect(guid, `round ${round}`).toBe(stored.rows[0]?.guid);
      // A second instance (here on the primary) gets the same one.
      expect(await ensurePanelGuid(primary.db)).toBe(guid);
    }
  });
});
