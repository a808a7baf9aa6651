import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./server";

/** Where the reliability tests leave their figures (git-ignored; docs/RELIABILITY.md quotes the latest run). */
export const FIGURES_DIR = path.join(ROOT, "tmp", "reliability");

/**
 * Prints a test's figures (cases, requests, failures, RSS …) and records them
 * in tmp/reliability/<name>.json, so a run's numbers can be quoted afterwards.
 */
export function recordFigures(name: string, figures: Record<string, unknown>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const record = { name, recordedAt: new Date().toISOString(), ...figures };
  writeFileSync(path.join(FIGURES_DIR, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`[reliability] ${name}: ${JSON.stringify(figures)}`);
}
