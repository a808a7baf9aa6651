import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { finishRequestLog, startRequestLog } from "@/lib/api/access-log";
import { REQUEST_ID_HEADER, requestIdFor } from "@/lib/http/edge";
import { createLogger, createRequestLogger, isoTimestamp, logLevelSetting, REDACTED } from "@/lib/log";

/** A logger and a request logger, writing into an array of parsed lines (and the raw text). */
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
  return { lines, raw, logger: createLogger(level, stream), requests: createRequestLogger(level, stream) };
}

describe("logger settings", () => {
  it("writes JSON lines with an ISO time and the level as a word", () => {
    const { lines, logger } = capture();
    logger.info({ answer: 42 }, "hello");
    expect(lines).toEqual([
      expect.objectContaining({ level: "info", msg: "hello", answer: 42, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
    ]);
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

describe("timestamp", () => {
  it("is toISOString() to the millisecond, across second, day and year boundaries and before 1970", () => {
    const instants = [Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), 1, 0, 999, 1000, 1001, -1, -1001];
    for (const start of instants) {
      for (const now of [start, start + 7, start + 10, start + 99, start + 100, start - 1]) {
        expect(isoTimestamp(now)).toBe(`,"time":"${new Date(now).toISOString()}"`);
      }
    }
  });

  it("stamps the logger's lines", () => {
    const { lines, logger } = capture();
    const before = Date.now();
    logger.info("x");
    const time = Date.parse(lines[0]!.time as string);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });
});

describe("request log line", () => {
  function lineFor(request: Request, response: Response, fill?: (e: ReturnType<typeof startRequestLog>) => void) {
    const { lines, raw, requests } = capture();
    const entry = startRequestLog(request, "/panel/api/setting/apiTokens/delete/{id}");
    fill?.(entry);
    const out = finishRequestLog(entry, response, requests);
    return { line: lines[0]!, raw: raw[0]!, out, count: lines.length };
  }

  it("has exactly the documented fields, and the response carries the request id", () => {
    const request = new Request("http://x/panel/api/setting/apiTokens/delete/7?secret=q", {
      method: "POST",
      headers: { authorization: "Bearer xui_secret", cookie: "3x-ui=s", "x-xui-request-id": "req-123" },
    });
    const { line, out, count } = lineFor(request, new Response("{}", { status: 403 }), (e) => {
      e.ip = "10.0.0.9";
      e.actor = { type: "token", tokenId: 3, tokenName: "ci" };
    });
    expect(count).toBe(1);
    // The server set X-Request-Id itself; the app leaves it alone.
    expect(out.headers.get(REQUEST_ID_HEADER)).toBeNull();
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
    expect(JSON.stringify(line)).not.toMatch(/xui_secret|3x-ui=s|secret=q/);
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
      const { lines, requests } = capture(level);
      finishRequestLog(startRequestLog(new Request("http://x/"), "/r"), new Response(null, { status }), requests);
      expect(lines.length, `${level} ${status}`).toBe(written);
    }
  });

  it("health checks log at debug, so the default level leaves them out", () => {
    for (const [level, written] of [["info", 0], ["debug", 1]] as const) {
      const { lines, requests } = capture(level);
      finishRequestLog(startRequestLog(new Request("http://x/healthz"), "/healthz", "debug"), new Response(null), requests);
      expect(lines.length, level).toBe(written);
    }
  });

  it.each([["has spaces"], ["x".repeat(129)], ['quote"d'], [""], [undefined]])("the server replaces an unusable incoming id %j with a UUID", (bad) => {
    expect(requestIdFor(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([["req-123"], ["01ARZ3NDEKTSV4RRFFQ69G5FAV"], ["trace:a/b=c+d"]])("the server keeps a sane incoming id %j", (good) => {
    expect(requestIdFor(` ${good} `)).toBe(good);
  });

  it("takes the id the server assigned, and leaves the response header to the server", () => {
    const request = new Request("http://x/", { headers: { "x-xui-request-id": "edge-1", "x-request-id": "client-1" } });
    const { line, out } = lineFor(request, new Response(null));
    expect(line.requestId).toBe("edge-1");
    expect(out.headers.get(REQUEST_ID_HEADER)).toBeNull();
  });

  it("without our server in front (a handler called directly), makes an id and stamps it on the response", () => {
    const request = new Request("http://x/", { headers: { "x-request-id": "client-1" } });
    const { line, out } = lineFor(request, new Response(null));
    expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.headers.get(REQUEST_ID_HEADER)).toBe(line.requestId);
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

  describe("a streamed body", () => {
    const parts = ["[1,", "2,", "3]"];
    function streamed(fail = false) {
      const { lines, requests } = capture();
      const entry = startRequestLog(new Request("http://x/panel/api/setting/apiTokens"), "/panel/api/setting/apiTokens");
      entry.streamed = true;
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (fail && i === 1) return controller.error(new Error("database went away"));
          if (i === parts.length) return controller.close();
          controller.enqueue(new TextEncoder().encode(parts[i++]));
        },
      });
      return { lines, out: finishRequestLog(entry, new Response(body, { status: 200 }), requests) };
    }
    const fields = (line: Record<string, unknown>) => ({ level: line.level, status: line.status, bytes: line.bytes, aborted: line.aborted });

    it("is logged once it has been sent, with its size", async () => {
      const { lines, out } = streamed();
      expect(lines).toHaveLength(0);
      expect(await out.text()).toBe("[1,2,3]");
      expect(lines.map(fields)).toEqual([{ level: "info", status: 200, bytes: 7, aborted: undefined }]);
    });

    it("is logged as aborted when the client goes away mid-way", async () => {
      const { lines, out } = streamed();
      const reader = out.body!.getReader();
      await reader.read();
      await reader.cancel();
      expect(lines.map(fields)).toEqual([{ level: "info", status: 200, bytes: 3, aborted: true }]);
    });

    it("is logged once, as aborted, when the client goes away while a part is being made", async () => {
      const { lines, requests } = capture();
      const entry = startRequestLog(new Request("http://x/panel/api/setting/apiTokens"), "/panel/api/setting/apiTokens");
      entry.streamed = true;
      let release!: () => void;
      const slow = new ReadableStream<Uint8Array>({
        pull: (controller) =>
          new Promise<void>((resolve) => {
            release = () => {
              controller.enqueue(new TextEncoder().encode("late"));
              resolve();
            };
          }),
        cancel: () => release?.(),
      });
      const out = finishRequestLog(entry, new Response(slow), requests);
      // As Next.js sends a body: pipeTo, aborted when the socket closes.
      const abort = new AbortController();
      const sent = out.body!.pipeTo(new WritableStream(), { signal: abort.signal }).catch(() => "aborted");
      await new Promise((r) => setTimeout(r, 10));
      abort.abort();
      expect(await sent).toBe("aborted");
      await new Promise((r) => setTimeout(r, 10));
      expect(lines.map(fields)).toEqual([{ level: "info", status: 200, bytes: 0, aborted: true }]);
    });

    it("is logged at error, aborted, when producing it fails", async () => {
      const { lines, out } = streamed(true);
      await expect(out.text()).rejects.toThrow("database went away");
      expect(lines.map(fields)).toEqual([{ level: "error", status: 200, bytes: 3, aborted: true }]);
    });
  });
});

describe("stdout", () => {
  // A separate process, because the behaviour under test is what happens when it writes and exits.
  function runLogging(body: string, status: number | null = 0): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "xui-log-"));
    try {
      const script = path.join(dir, "script.ts");
      writeFileSync(
        script,
        `import { logInfo, requestLogger } from ${JSON.stringify(path.resolve("lib/log.ts"))};\n` +
          `requestLogger().info({ requestId: "r1" }, "request");\n${body}\n`,
      );
      // react-server: lib/log.ts imports `server-only`, which throws under any other condition.
      const run = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", script], {
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

  it("a line still queued is written when the process exits at once", () => {
    expect(runLogging("process.exit(0);")).toMatch(/"requestId":"r1","msg":"request"/);
  });

  it("writes without waiting for more lines or an exit, and keeps the order of both loggers", () => {
    // No exit hook runs under SIGKILL: whatever is in the output was written while the process ran.
    const out = runLogging(
      [`logInfo("second");`, `setTimeout(() => process.stdout.write("MARK\\n", () => process.kill(process.pid, "SIGKILL")), 300);`].join("\n"),
      null,
    );
    expect(out).toContain("MARK");
    expect(out.indexOf('"requestId":"r1"')).toBeGreaterThanOrEqual(0);
    expect(out.indexOf('"msg":"second"')).toBeGreaterThan(out.indexOf('"requestId":"r1"'));
  });

  it("sends warnings and errors to stderr only, the rest to stdout only", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "xui-log-"));
    try {
      const script = path.join(dir, "script.ts");
      writeFileSync(script, `import { logError, logInfo } from ${JSON.stringify(path.resolve("lib/log.ts"))};\nlogInfo("to-out");\nlogError("to-err", new Error("x"));\n`);
      const run = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", script], { encoding: "utf8", timeout: 20_000, env: { ...process.env, LOG_LEVEL: "info" } });
      expect(run.stdout).toContain('"msg":"to-out"');
      expect(run.stdout).not.toContain("to-err");
      expect(run.stderr).toContain('"msg":"to-err"');
      expect(run.stderr).not.toContain("to-out");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
