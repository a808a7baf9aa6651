import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { nameKey } from "@/lib/display-name";
import { commit } from "@/lib/db/commit";

const SLICE = 200;

/**
 * Gives tokens from before the `name_key` column their key, a slice at a time;
 * run at start-up, one read once done. Migration 0009 has keyed the plain ASCII
 * names in SQL, so what is left here is the few others. A token whose name
 * reads like an older token's gets the key plus U+0001 and its id (no name can
 * hold a control character, so no new name meets it): both keep working, and
 * no new name can join them. A data migration, not a token change: nothing
 * verification reads changes, so it bypasses lib/tokens/write.ts (no audit
 * row per token, no generation bump).
 */
export async function backfillNameKeys(db: Db): Promise<void> {
  for (;;) {
    const rows = await db
      .select({ id: apiTokens.id, name: apiTokens.name })
      .from(apiTokens)
      .where(isNull(apiTokens.nameKey))
      .orderBy(asc(apiTokens.id))
      .limit(SLICE);
    if (rows.length === 0) return;
    await commit(
      db,
      rows.map(({ id, name }) => {
        const key = nameKey(name);
        const taken = sql`EXISTS (SELECT 1 FROM ${apiTokens} AS other WHERE other.name_key = ${key})`;
        const legacy = `${key}\u0001${id}`;
        return db
          .update(apiTokens)
          .set({ nameKey: sql`CASE WHEN ${taken} THEN ${legacy} ELSE ${key} END` })
          .where(and(eq(apiTokens.id, id), isNull(apiTokens.nameKey)));
      }),
    );
  }
}
