// Child of panel-key.test.ts: waits for a shared start instant, then loads (creating) the panel key of
// each directory `<base>/<i>` in turn, and prints one JSON line per directory: the key, or the error.
import { loadPanelKey } from "@/lib/crypto/panel-key";

const [base, count, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // spin: every child starts its first directory in the same millisecond
}
for (let i = 0; i < Number(count); i++) {
  try {
    const { key } = loadPanelKey({}, `file:${base}/${i}/panel.db`);
    process.stdout.write(`${JSON.stringify({ i, key: key.toString("hex") })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ i, error: (error as Error).message })}\n`);
  }
}
