import "server-only";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { panelInfo } from "@/db/schema/panel-info";

/**
 * This database's panel GUID, made by whichever instance starts on it first.
 * One statement that answers with the stored row: on a sqld replica it runs on
 * the primary, so the answer does not wait for the row to be replicated.
 */
export async function ensurePanelGuid(db: Db): Promise<string> {
  const [row] = await db
    .insert(panelInfo)
    .values({ id: 1, guid: randomUUID() })
    .onConflictDoUpdate({ target: panelInfo.id, set: { guid: sql`${panelInfo.guid}` } })
    .returning({ guid: panelInfo.guid });
  return row!.guid;
}
