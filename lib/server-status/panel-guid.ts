import "server-only";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { panelInfo } from "@/db/schema/panel-info";

/** This database's panel GUID, made by whichever instance starts on it first. */
export async function ensurePanelGuid(db: Db): Promise<string> {
  await db.insert(panelInfo).values({ id: 1, guid: randomUUID() }).onConflictDoNothing();
  const row = await db.select({ guid: panelInfo.guid }).from(panelInfo).where(eq(panelInfo.id, 1)).get();
  return row!.guid;
}
