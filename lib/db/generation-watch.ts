/**
 * A process's view of a generation counter in the database (token_state,
 * session_state): bumped in the same transaction as every change that makes
 * cached verifications stale, and re-read here at most every FRESHNESS_MS
 * while requests use the cache.
 *
 * A read counts as of when it was sent: the row it returns may be that old,
 * however long the answer took. A read already in flight is joined only if it
 * was sent within FRESHNESS_MS; an older one (a slow database) is waited out
 * and another sent. A failed read leaves checkedAt as it was, so the cache is
 * not trusted again until a read succeeds.
 */
export const FRESHNESS_MS = 250;

export interface GenerationWatch {
  generation: number | null;
  /** When the last successful read was sent (Unix ms). */
  checkedAt: number;
  poll?: Promise<void>;
  pollSentAt: number;
}

export function newGenerationWatch(): GenerationWatch {
  return { generation: null, checkedAt: 0, pollSentAt: 0 };
}

/** Re-reads the generation (one query shared by every waiting request); `onChange` runs when it moved. */
export async function ensureFresh(watch: GenerationWatch, read: () => Promise<number>, onChange: () => void): Promise<void> {
  const since = Date.now() - FRESHNESS_MS;
  while (watch.poll && watch.pollSentAt < since) await watch.poll.catch(() => undefined);
  if (!watch.poll) {
    const sentAt = Date.now();
    watch.pollSentAt = sentAt;
    watch.poll = read()
      .then((generation) => {
        if (generation !== watch.generation) {
          onChange();
          watch.generation = generation;
        }
        watch.checkedAt = sentAt;
      })
      .finally(() => (watch.poll = undefined));
  }
  return watch.poll;
}
