import { closeSync, fsyncSync, openSync } from "node:fs";

/** Flushes a file, or a directory's entries (after a rename or link in it), to disk. */
export function fsyncPath(file: string): void {
  const fd = openSync(file, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
