import "server-only";
import type { Db } from "@/db/client";
import { Streamed, streamParts } from "@/lib/streamed";
import { tokenRowBatches } from "./list";
import { readTokenPolicy } from "./policy";
import { tokenView } from "./schemas";
import { viewOf } from "./view";

/**
 * The unpaged list (`GET …/apiTokens`, no parameters): the peer's envelope with
 * every view in id order, written batch by batch. Built in one piece it held
 * the event loop for seconds at 100,000 tokens (a `/healthz` meanwhile took
 * 5.1 s) and the whole 20 MB in memory; streamed, other requests are served
 * between batches and memory holds about one batch. Each view goes through the
 * view schema, the allow-list every other answer passes.
 */
export function streamedTokenList(db: Db, now: number): Streamed {
  return new Streamed(streamParts(envelopeParts(db, now), "token list"));
}

async function* envelopeParts(db: Db, now: number): AsyncGenerator<string> {
  const policy = await readTokenPolicy(db);
  yield '{"success":true,"msg":"","obj":[';
  let separator = "";
  for await (const rows of tokenRowBatches(db)) {
    yield separator + rows.map((row) => JSON.stringify(tokenView.parse(viewOf(row, now, policy)))).join(",");
    separator = ",";
  }
  yield "]}";
}
