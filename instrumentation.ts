/**
 * Runs once per server process before it serves requests: opens and migrates
 * the database and creates the first admin if there is none.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startPanel } = await import("./lib/startup");
  await startPanel();
}
