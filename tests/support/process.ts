import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

// Child-process helpers shared by server.ts (the panel) and sqld.ts (libSQL server).

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Collects a child's stdout + stderr and stops it: `signal`, then SIGKILL after `graceMs`. */
export function supervise(child: ChildProcess): { output(): string; stop(signal: NodeJS.Signals, graceMs: number): Promise<void> } {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // "close" comes after the last output has been read ("exit" can come before it): what a child
  // wrote while shutting down (batched log lines, lib/log.ts) is in output() once stop() returns.
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  return {
    output: () => output,
    async stop(signal, graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
    },
  };
}

/** Polls `url` until it answers 2xx; fails with the process's output if it exits or times out (and kills it). */
export async function waitUntilAnswering(
  child: ChildProcess,
  url: string,
  what: string,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${what} did not become ready:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
