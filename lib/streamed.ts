import "server-only";
import { logError } from "@/lib/log";

/**
 * A response body produced while it is sent: the unpaged token list (100,000
 * views are 20 MB) and the audit log exports. The handler returns one of
 * these instead of an object; the pipeline (lib/api/route.ts) sends it as is,
 * so whoever builds the parts shapes each through its schema.
 */
export class Streamed {
  constructor(
    readonly body: ReadableStream<Uint8Array>,
    /** Content-Type (JSON unless said), Content-Disposition … */
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * The parts as a byte stream. A part is made only when the client has taken
 * the previous one (memory stays at about one part however long the body), and
 * each waits for a turn of the event loop first, so requests that arrived
 * meanwhile (a `/healthz`) are answered between parts instead of after the
 * whole body. A failure mid-way can only cut the body short: it is logged and
 * the stream aborted, so the client sees a broken transfer, not a short list.
 */
export function streamParts(parts: AsyncIterable<string>, what: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = parts[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        await new Promise(setImmediate);
        try {
          const { value, done } = await iterator.next();
          if (done) controller.close();
          else controller.enqueue(encoder.encode(value));
        } catch (error) {
          logError("streamed response failed", error, { what });
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
