/**
 * Where the database is, read from the environment here (db/ imports nothing
 * from lib/; lib/config.ts takes these values from this function).
 */
export interface DatabaseSettings {
  /** `DATABASE_URL`: a libSQL URL (see openDatabase). */
  url: string;
  /** `DATABASE_AUTH_TOKEN`, for a libSQL server. */
  authToken?: string;
}

export const DEFAULT_DATABASE_URL = "file:data/panel.db";

export function databaseSettings(env: Record<string, string | undefined> = process.env): DatabaseSettings {
  return {
    url: env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL,
    authToken: env.DATABASE_AUTH_TOKEN || undefined,
  };
}
