// `npm test`: every suite, in the order a failure is cheapest to find.
//   lint → production build (type-checks everything) → unit + API + reliability
//   (Vitest, real libSQL, real servers) → browser (Playwright in Debian's Chromium) → benchmark smoke.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function run(label, command, args, extraEnv = {}) {
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...env, ...extraEnv } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✖ ${label} failed after ${seconds}s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✔ ${label} (${seconds}s)`);
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A Debian package's binary, installed with apt when we can (as root): Chromium for the browser
 * tests (Playwright's own download does not work offline), nginx for the reverse-proxy test.
 * `envVar` points at another binary instead.
 */
function ensureAptBinary({ binary, pkg, envVar, why }) {
  const wanted = process.env[envVar] || binary;
  if (isExecutable(wanted)) return wanted;
  if (process.env[envVar]) {
    console.error(`${envVar}=${wanted} is not an executable file.`);
    process.exit(1);
  }
  const canApt = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (!canApt) {
    console.error(`${why} need ${binary}.\nInstall it with \`sudo apt-get install -y ${pkg}\` (Debian/Ubuntu), or point ${envVar} at one.`);
    process.exit(1);
  }
  console.log(`▶ installing Debian's ${pkg} with apt-get (${why})`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", pkg]]) {
    const r = spawnSync("apt-get", args, { stdio: "inherit", env: aptEnv });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(" ")} failed; install ${pkg} by hand or set ${envVar}.`);
      process.exit(1);
    }
  }
  if (!isExecutable(wanted)) {
    console.error(`apt-get finished but ${binary} is still missing.`);
    process.exit(1);
  }
  return wanted;
}

const started = Date.now();
const chromium = ensureAptBinary({ binary: "/usr/bin/chromium", pkg: "chromium", envVar: "CHROMIUM_PATH", why: "the browser tests" });
const nginx = ensureAptBinary({ binary: "/usr/sbin/nginx", pkg: "nginx-light", envVar: "NGINX_PATH", why: "the reverse-proxy test" });
run("lint (eslint)", bin("eslint"), ["."]);
run("build (next build, includes the TypeScript check)", bin("next"), ["build"]);
run("build the HTTP server (scripts/server.mts)", process.execPath, ["scripts/build-server.mjs"]);
run("unit + API + reliability tests (vitest)", bin("vitest"), ["run"], { NGINX_PATH: nginx });
run("browser tests (playwright, chromium)", bin("playwright"), ["test"], { CHROMIUM_PATH: chromium });
// Proves `npm run bench` works end to end (seconds-long runs); its figures are not checked.
run("benchmark smoke", process.execPath, ["bench/run.mjs", "--smoke", "--no-build"], { CHROMIUM_PATH: chromium });
console.log(`\n✔ all suites passed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
