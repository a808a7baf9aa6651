import { defineConfig } from "drizzle-kit";

// `drizzle-kit generate` only diffs the schema against the committed snapshots;
// the URL is needed by other drizzle-kit commands, never by the app.
export default defineConfig({
  dialect: "turso",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  dbCredentials: { url: process.env.DATABASE_URL ?? "file:data/panel.db" },
  strict: true,
  verbose: true,
});
