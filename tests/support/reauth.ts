import { createHash } from "node:crypto";
import type { Client } from "@libsql/client";
import type { BrowserSession } from "./client";

/** The stored hash of a browser's session: the cookie is `<csrfKey>.<sessionId>`. */
export function sessionHashOf(s: BrowserSession): string {
  return createHash("sha256").update(s.cookie!.split(".")[1]!).digest("hex");
}

/**
 * Makes a session's sign-in look 11 minutes old, as another instance would
 * see the database: the row changed and the session generation bumped, so
 * the server's memory of it is dropped within its 250 ms freshness bound.
 */
export async function ageConfirmation(db: Client, s: BrowserSession): Promise<void> {
  await db.batch(
    [
      { sql: "UPDATE sessions SET authenticated_at = ? WHERE id_hash = ?", args: [Date.now() - 11 * 60_000, sessionHashOf(s)] },
      "INSERT INTO session_state (id, generation) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET generation = generation + 1",
    ],
    "write",
  );
  await new Promise((r) => setTimeout(r, 400));
}
