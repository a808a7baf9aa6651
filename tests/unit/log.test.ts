import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { finishRequestLog, REQUEST_ID_HEADER, startRequestLog } from "@/lib/api/access-log";
import { createLogger, createRequestLineWriter, isoTimeField, logLevelSetting, REDACTED } from "@/lib/log";

/** A logger and a request line writer, writing into an array of parsed lines (and the raw text). */
function capture(level: Parameters<typeof createLogger>[0] = "info") {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const streams = { out: stream, err: stream };
  return { lines, raw, logger: createLogger(level, stream), writer: createRequestLineWriter(level, streams) };
}

describe("logger settings", () => {
  it("writes JSON lines with an ISO time and the level as a word", () => {
    const { lines, logger } = capture();
    logger.info({ answer: 42 }, "hello");
    expect(lines).toEqual([
      expect.objectContaining({ level: "info", msg: "hello", answer: 42, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
    ]);
  });

  it("formats the time exactly as Date#toISOString does, across seconds and back", () => {
    const base = Date.UTC(2026, 10, 28, 23, 59, 59, 0);
    // Every millisecond of two seconds, then jumps back and forth (the per-second cache must follow).
    const times = [...Array.from({ length: 2000 }, (_, i) => base + i), base + 5, base + 86_400_000 + 7, base + 999, 0, 1, 999_999_999_999];
    for (const t of times) expect(isoTimeField(t)).toBe(`,"time":"${new Date(t).toISOString()}"`);
  });

  it("drops lines below LOG_LEVEL", () => {
    const { lines, logger } = capture("warn");
    logger.info("quiet");
    logger.warn("loud");
    expect(lines.map((l) => l.msg)).toEqual(["loud"]);
  });

  it("censors credentials even when a caller passes a whole request-like object (second line of defence)", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        authorization: "Bearer top-level",
        headers: { authorization: "Bearer hdr", cookie: "3x-ui=c1", "set-cookie": "3x-ui=c2", "x-csrf-token": "csrf1" },
        req: { headers: { authorization: "Bearer nested", cookie: "3x-ui=c3" } },
        body: { password: "pw1", token: "xui_plain", newPassword: "pw2", oldPassword: "pw3" },
        password: "pw4",
        token: "xui_plain2",
      },
      "oops",
    );
    const text = JSON.stringify(lines);
    for (const secret of ["top-level", "hdr", "c1", "c2", "csrf1", "nested", "c3", "pw1", "xui_plain", "pw2", "pw3", "pw4"]) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]!.headers).toEqual({ authorization: REDACTED, cookie: REDACTED, "set-cookie": REDACTED, "x-csrf-token": REDACTED });
  });

  it("accepts the documented LOG_LEVEL values, case-insensitively, and refuses others", () => {
    expect(logLevelSetting.parse(undefined)).toBe("info");
    expect(logLevelSetting.parse("")).toBe("info");
    expect(logLevelSetting.parse(" DEBUG ")).toBe("debug");
    expect(logLevelSetting.safeParse("verbose").success).toBe(false);
  });
});

describe("request log line", () => {
  function lineFor(request: Request, response: Response, fill?: (e: ReturnType<typeof startRequestLog>) => void) {
    const { lines, raw, writer } = capture();
    const entry = startRequestLog(request, "/panel/api/setting/apiTokens/delete/{id}");
    fill?.(entry);
    const out = finishRequestLog(entry, response, writer);
    return { line: lines[0]!, raw: raw[0]!, out, count: lines.length };
  }

  it("has exactly the documented fields, and the response carries the request id", () => {
    const request = new Request("http://x/panel/api/setting/apiTokens/delete/7?secret=q", {
      method: "POST",
      headers: { authorization: "Bearer xui_secret", cookie: "3x-ui=s", "x-request-id": "req-123" },
    });
    const { line, out, count } = lineFor(request, new Response("{}", { status: 403 }), (e) => {
      e.ip = "10.0.0.9";
      e.actor = { type: "token", tokenId: 3, tokenName: "ci" };
    });
    expect(count).toBe(1);
    expect(out.headers.get(REQUEST_ID_HEADER)).toBe("req-123");
    const { time, durationMs, pid, hostname, ...rest } = line;
    expect(typeof time).toBe("string");
    expect(typeof durationMs).toBe("number");
    expect(pid).toBe(process.pid);
    expect(typeof hostname).toBe("string");
    expect(rest).toEqual({
      level: "info",
      msg: "request",
      requestId: "req-123",
      method: "POST",
      route: "/panel/api/setting/apiTokens/delete/{id}",
      status: 403,
      actor: { type: "token", tokenId: 3, tokenName: "ci" },
      ip: "10.0.0.9",
    });
    expect(JSON.stringify(line)).not.toMatch(/xui_secret|xui_session|secret=q/);
  });

  it("is framed exactly like the logger's own lines: the same keys in the same order", () => {
    const { raw: logged, logger } = capture();
    logger.info({ requestId: "x" }, "request");
    const { raw } = lineFor(new Request("http://x/"), new Response(null));
    const keys = (text: string) => Object.keys(JSON.parse(text) as object);
    expect(keys(raw).slice(0, 4)).toEqual(keys(logged[0]!).slice(0, 4));
    expect(keys(raw).slice(0, 4)).toEqual(["level", "time", "pid", "hostname"]);
    expect(keys(raw).at(-1)).toBe("msg");
  });

  it("escapes what a client or an admin chose (token name, method) and stays one line of JSON", () => {
    const name = 'ci "prod"\\ \n\u2028 ünïcode';
    const { line, raw, count } = lineFor(new Request("http://x/", { method: "PATCH" }), new Response(null), (e) => {
      e.actor = { type: "token", tokenId: 1, tokenName: name };
      e.ip = "::1";
    });
    expect(count).toBe(1);
    expect(raw).not.toContain("\n");
    expect(line.actor).toEqual({ type: "token", tokenId: 1, tokenName: name });
    expect(line.method).toBe("PATCH");
    expect(line.ip).toBe("::1");
  });

  it("follows LOG_LEVEL: warn drops request lines, keeps 5xx ones; silent drops all", () => {
    for (const [level, status, written] of [
      ["warn", 200, 0],
      ["warn", 503, 1],
      ["silent", 503, 0],
      ["debug", 200, 1],
    ] as const) {
      const { lines, writer } = capture(level);
      finishRequestLog(startRequestLog(new Request("http://x/"), "/r"), new Response(null, { status }), writer);
      expect(lines.length, `${level} ${status}`).toBe(written);
    }
  });

  it.each([["has spaces"], ["x".repeat(129)], ['quote"d'], [""]])("replaces an unusable incoming id %j with a UUID", (bad) => {
    const request = new Request("http://x/", { headers: { "x-request-id": bad } });
    const { line, out } = lineFor(request, new Response(null));
    expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.headers.get(REQUEST_ID_HEADER)).toBe(line.requestId);
  });

  it("takes the id scripts/server.mjs answered with, and leaves the response header to the server", () => {
    const request = new Request("http://x/", { headers: { "x-xui-request-id": "edge-1", "x-request-id": "client-1" } });
    const { line, out } = lineFor(request, new Response(null));
    expect(line.requestId).toBe("edge-1");
    expect(out.headers.get(REQUEST_ID_HEADER)).toBeNull();
  });

  it("ignores an internal id that is not a sane one (it would go into the line unescaped)", () => {
    const request = new Request("http://x/", { headers: { "x-xui-request-id": 'a","status":1', "x-request-id": "client-1" } });
    const { line, out, count } = lineFor(request, new Response(null));
    expect(count).toBe(1);
    expect(line.requestId).toBe("client-1");
    expect(out.headers.get(REQUEST_ID_HEADER)).toBe("client-1");
  });

  it("hands info lines as fields to a stream that takes them (the batched stdout of any bundle copy); errors as text", () => {
    // Not an instance of lib/log.ts's class: Next.js bundles the module more than once, and the
    // shared stdout is whichever copy's instance came first.
    const deferred: { level: string; time: number; fields: { serialize(): string } }[] = [];
    const written: string[] = [];
    const sink = {
      write: (line: string) => written.push(line),
      writeRequestLine: (level: "info" | "error", time: number, fields: { serialize(): string }) => deferred.push({ level, time, fields }),
    };
    const writer = createRequestLineWriter("info", { out: sink, err: sink });
    const entry = startRequestLog(new Request("http://x/"), "/r");
    finishRequestLog(entry, new Response(null, { status: 204 }), writer);
    finishRequestLog(startRequestLog(new Request("http://x/"), "/r"), new Response(null, { status: 503 }), writer);
    expect(deferred).toHaveLength(1);
    expect(deferred[0]!.fields).toBe(entry);
    expect(deferred[0]!.level).toBe("info");
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0]!)).toMatchObject({ level: "error", status: 503 });
  });

  it("logs server errors at level error", () => {
    const { line } = lineFor(new Request("http://x/"), new Response(null, { status: 500 }));
    expect(line.level).toBe("error");
  });

  it("still stamps the id on a response with immutable headers", () => {
    const { out, line } = lineFor(new Request("http://x/"), Response.redirect("http://x/elsewhere", 302));
    expect(out.status).toBe(302);
    expect(out.headers.get(REQUEST_ID_HEADER)).toBe(line.requestId);
  });
});

describe("batched stdout", () => {
  /**
   * Script lines: a busy wait holds the 200 ms batch timer off, then SIGKILL (no exit hook)
   * ends the process once MARK is out; whatever else is in the output was written before.
   */
  const HOLD_TIMERS_THEN_KILL = [
    `const until = Date.now() + 300;`,
    `while (Date.now() < until) {}`,
    `process.stdout.write("MARK\\n", () => process.kill(process.pid, "SIGKILL"));`,
  ];

  // A separate process, because the behaviour under test is what happens when it exits.
  function runLogging(body: string, status: number | null = 0): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "xui-log-"));
    try {
      const script = path.join(dir, "script.ts");
      writeFileSync(
        script,
        `import { logInfo, requestLineWriter } from ${JSON.stringify(path.resolve("lib/log.ts"))};\n` +
          `requestLineWriter()("info", '"requestId":"r1"');\n${body}\n`,
      );
      const run = spawnSync(process.execPath, ["--import", "tsx", script], {
        encoding: "utf8",
        timeout: 20_000,
        // Whatever LOG_LEVEL the caller has, the line must pass the level filter.
        env: { ...process.env, LOG_LEVEL: "info" },
      });
      expect(run.status, run.stderr).toBe(status);
      return run.stdout;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("a line still waiting in the batch is written when the process exits at once", () => {
    // Without the flush on exit (pino registers it for its destinations) the line would be lost:
    // 64 KiB never fill and the 200 ms flush never comes.
    expect(runLogging("process.exit(0);")).toMatch(/"requestId":"r1","msg":"request"/);
  });

  it("a batch goes out on its own within 200 ms, and lines from both loggers keep their order", () => {
    // No exit hook runs under SIGKILL: whatever is in the output was written by the timer.
    const out = runLogging(
      [
        `logInfo("second");`,
        `setTimeout(() => process.stdout.write("MARK\\n", () => process.kill(process.pid, "SIGKILL")), 600);`,
      ].join("\n"),
      null,
    );
    expect(out).toContain("MARK");
    expect(out.indexOf('"requestId":"r1"')).toBeGreaterThanOrEqual(0);
    expect(out.indexOf('"msg":"second"')).toBeGreaterThan(out.indexOf('"requestId":"r1"'));
  });

  it("lines are batched: a line is not written the moment it is logged", () => {
    // An unbatched asynchronous write is handed to libuv's threads at once and lands during the
    // busy wait; a batched line waits for 64 KiB or the 200 ms timer, which the wait holds off,
    // so SIGKILL (no exit hook) finds it still in memory.
    const out = runLogging(HOLD_TIMERS_THEN_KILL.join("\n"), null);
    expect(out).toContain("MARK");
    expect(out).not.toContain('"requestId":"r1"');
  });

  it("a request line waits as its fields and is written as they were when the request ended, in order", () => {
    // Serialized when the batch goes out (at exit here), 300 ms after the request: the line must
    // still carry that request's status, actor and end time, and come before lines logged after it.
    const accessLog = JSON.stringify(path.resolve("lib/api/access-log.ts"));
    const out = runLogging(
      [
        `void import(${accessLog}).then(({ finishRequestLog, startRequestLog }) => {`,
        `const entry = startRequestLog(new Request("http://x/", { method: "DELETE", headers: { "x-request-id": "deferred-1" } }), "/r/{id}");`,
        `entry.actor = { type: "token", tokenId: 9, tokenName: "late \\"bot\\"" };`,
        `entry.ip = "10.1.2.3";`,
        `finishRequestLog(entry, new Response(null, { status: 204 }));`,
        `const until = Date.now() + 300;`,
        `while (Date.now() < until) {}`,
        `logInfo("after");`,
        `process.exit(0);`,
        `});`,
      ].join("\n"),
    );
    const lines = out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const index = lines.findIndex((l) => l.requestId === "deferred-1");
    const after = lines.findIndex((l) => l.msg === "after");
    expect(index).toBeGreaterThan(lines.findIndex((l) => l.requestId === "r1"));
    expect(after).toBeGreaterThan(index);
    expect(lines[index]).toMatchObject({
      level: "info",
      method: "DELETE",
      route: "/r/{id}",
      status: 204,
      actor: { type: "token", tokenId: 9, tokenName: 'late "bot"' },
      ip: "10.1.2.3",
      msg: "request",
    });
    const ended = Date.parse(lines[index]!.time as string);
    expect(Date.parse(lines[after]!.time as string) - ended).toBeGreaterThanOrEqual(250);
  });

  it("a request line that cannot be serialized leaves a marker and spares the rest of its batch", () => {
    const accessLog = JSON.stringify(path.resolve("lib/api/access-log.ts"));
    const out = runLogging(
      [
        `void import(${accessLog}).then(({ finishRequestLog, startRequestLog }) => {`,
        `const entry = startRequestLog(new Request("http://x/"), "/r");`,
        // JSON.stringify throws on a BigInt; nothing the panel logs holds one, a bug might.
        `entry.actor = { type: "token", tokenId: 1n, tokenName: "x" };`,
        `finishRequestLog(entry, new Response(null));`,
        `logInfo("after");`,
        `process.exit(0);`,
        `});`,
      ].join("\n"),
    );
    const lines = out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.requestId ?? l.msg)).toEqual(["r1", expect.any(String), "after"]);
    expect(lines[1]).toMatchObject({ level: "error", error: "request line could not be serialized", msg: "request" });
  });

  it("a full batch (64 KiB) goes out at once, without waiting for the timer", () => {
    // As above, the busy wait holds the 200 ms timer off; only the size bound can write these.
    const out = runLogging(
      [
        `for (let i = 0; i < 400; i++) requestLineWriter()("info", \`"requestId":"fill-\${i}","pad":"\${"x".repeat(200)}"\`);`,
        ...HOLD_TIMERS_THEN_KILL,
      ].join("\n"),
      null,
    );
    expect(out).toContain("MARK");
    // 401 lines of ~330 characters: the first batch closes at 64 KiB, around line 200; the rest waits.
    expect(out).toContain('"requestId":"r1"');
    expect(out).toContain('"requestId":"fill-150"');
    expect(out).not.toContain('"requestId":"fill-399"');
  });
});
