import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrowserSession } from "../support/client";
import { freePort } from "../support/process";
import { ROOT, startPanelServer, type PanelServer } from "../support/server";

/**
 * deploy/nginx.conf, run in a real nginx in front of the real server
 * (TRUST_PROXY=127.0.0.1, as the file says): the panel sees the client's
 * address and HTTPS through nginx, and neither a client going through nginx
 * nor one reaching the panel's port directly can claim another address.
 * Clients use distinct loopback source addresses (127.0.0.2, 127.0.0.3).
 */
const NGINX = process.env.NGINX_PATH || "/usr/sbin/nginx";
const hasNginx = (() => {
  try {
    accessSync(NGINX, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

const ADMIN = { username: "admin", password: "proxy-suite-password-1" };
let server: PanelServer;
let nginx: ChildProcess | undefined;
let work: string;
let proxyPort: number;

/** The example site file with this test's ports and a throwaway certificate; everything else as shipped. */
function siteConfig(panelPort: number, cert: string, key: string): string {
  const site = readFileSync(path.join(ROOT, "deploy", "nginx.conf"), "utf8");
  const replaced = site
    .replace(/^\s*listen 80;\n\s*listen \[::\]:80;\n/m, `    listen 127.0.0.1:${proxyPort + 1};\n`)
    .replace(/^\s*listen 443 ssl http2;\n\s*listen \[::\]:443 ssl http2;\n/m, `    listen 127.0.0.1:${proxyPort} ssl http2;\n`)
    .replace("/etc/letsencrypt/live/panel.example.com/fullchain.pem", cert)
    .replace("/etc/letsencrypt/live/panel.example.com/privkey.pem", key)
    .replace("http://127.0.0.1:2053", `http://127.0.0.1:${panelPort}`);
  // Each substitution must have hit: the test runs the file as shipped, or fails.
  const directives = replaced.replace(/#.*$/gm, "");
  for (const gone of ["listen 443", "listen 80", "letsencrypt", ":2053"]) expect(directives, gone).not.toContain(gone);
  return replaced;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request from the given loopback source address, through nginx (https) or straight to the panel (http). */
function send(
  via: "nginx" | "direct",
  from: string,
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const port = via === "nginx" ? proxyPort : server.port;
  const lib = via === "nginx" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      {
        host: "127.0.0.1",
        port,
        path: pathname,
        method: options.method ?? "GET",
        localAddress: from,
        headers: { host: "panel.example.com", ...options.headers },
        rejectUnauthorized: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

beforeAll(async () => {
  if (!hasNginx) return;
  work = mkdtempSync(path.join(os.tmpdir(), "xui-nginx-"));
  server = await startPanelServer({
    env: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, TRUST_PROXY: "127.0.0.1" },
  });
  const cert = path.join(work, "cert.pem");
  const key = path.join(work, "key.pem");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=panel.example.com", "-keyout", key, "-out", cert], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
  mkdirSync(path.join(work, "logs"));
  // The smallest main file an unprivileged nginx runs with; the site file is included as shipped.
  writeFileSync(
    path.join(work, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      `pid ${work}/nginx.pid;`,
      `error_log ${work}/logs/error.log warn;`,
      "events { worker_connections 64; }",
      "http {",
      `  access_log ${work}/logs/access.log;`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${work}/${t};`),
      `  include ${work}/site.conf;`,
      "}",
    ].join("\n"),
  );
  // A free port can be taken by another process before nginx binds it: then nginx exits, and a new port is tried.
  for (let attempt = 0; attempt < 3; attempt++) {
    proxyPort = await freePort();
    writeFileSync(path.join(work, "site.conf"), siteConfig(server.port, cert, key));
    const check = spawnSync(NGINX, ["-t", "-p", work, "-c", path.join(work, "nginx.conf")], { encoding: "utf8" });
    if (check.status !== 0) throw new Error(`nginx -t: ${check.stderr}`);
    const started = spawn(NGINX, ["-p", work, "-c", path.join(work, "nginx.conf")], { stdio: "ignore" });
    nginx = started;
    for (let i = 0; i < 100 && started.exitCode === null; i++) {
      try {
        await send("nginx", "127.0.0.1", "/healthz");
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (started.exitCode === null) break;
  }
  throw new Error(`nginx did not answer:\n${readFileSync(path.join(work, "logs", "error.log"), "utf8")}`);
}, 60_000);

afterAll(async () => {
  nginx?.kill("SIGTERM");
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Debian's nginx is installed by scripts/test.mjs when it can (as Chromium is); without it there is nothing to run.
describe.skipIf(!hasNginx)("behind deploy/nginx.conf (TRUST_PROXY=127.0.0.1)", () => {
  it("signs in over HTTPS through nginx: the session cookie is Secure", async () => {
    const csrf = await send("nginx", "127.0.0.2", "/csrf-token");
    const anon = /3x-ui=([^;]*)/.exec(String(csrf.headers["set-cookie"]))![1]!;
    const login = await send("nginx", "127.0.0.2", "/login", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `3x-ui=${anon}`, "x-csrf-token": JSON.parse(csrf.body).obj },
      body: JSON.stringify(ADMIN),
    });
    expect(JSON.parse(login.body).success).toBe(true);
    const cookie = String(login.headers["set-cookie"]);
    expect(cookie).toMatch(/^3x-ui=[^;]+;.*\bSecure\b/i);
    // Straight to the panel over plain HTTP, the same login is not marked Secure.
    const direct = await new BrowserSession(server.baseUrl).login(ADMIN.username, ADMIN.password);
    expect(direct.headers.get("set-cookie")).not.toMatch(/\bSecure\b/i);
  });

  it("an IP allowlist holds: the address nginx saw counts, a forged X-Forwarded-For never does", async () => {
    const admin = new BrowserSession(server.baseUrl);
    await admin.login(ADMIN.username, ADMIN.password);
    const created = await admin.send<{ token: string; id: number }>("/panel/api/setting/apiTokens/create", {
      body: { name: "only-from-127.0.0.2", allowedIps: ["127.0.0.2"] },
    });
    const token = created.json!.obj!.token;
    const status = (via: "nginx" | "direct", from: string, forged?: string) =>
      send(via, from, "/panel/api/server/status", {
        headers: { authorization: `Bearer ${token}`, ...(forged ? { "x-forwarded-for": forged } : {}) },
      }).then((r) => r.status);

    expect(await status("nginx", "127.0.0.2")).toBe(200);
    expect(await status("nginx", "127.0.0.2", "198.51.100.7")).toBe(200);
    // From another address, claiming the allowed one: through nginx (it appends the real one) and directly.
    expect(await status("nginx", "127.0.0.3", "127.0.0.2")).toBe(401);
    expect(await status("direct", "127.0.0.3", "127.0.0.2")).toBe(401);

    const listed = await admin.send<Array<{ id: number; lastUsedIp: string }>>("/panel/api/setting/apiTokens", {
      headers: { "x-requested-with": "XMLHttpRequest" },
    });
    expect(listed.json!.obj!.find((t) => t.id === created.json!.obj!.id)?.lastUsedIp).toBe("127.0.0.2");
  });
});
