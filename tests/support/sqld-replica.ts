import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, supervise, waitUntilAnswering } from "./process";

/**
 * A sqld primary and one replica on loopback, as libSQL scales past one
 * machine: the replica pulls WAL frames from the primary over gRPC
 * (`--primary-grpc-url`) and forwards writes to it. Both serve HTTP for
 * DATABASE_URL.
 */
export interface SqldCluster {
  primaryUrl: string;
  replicaUrl: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startSqldCluster(binary: string): Promise<SqldCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "xui-sqld-cluster-"));
  const [primaryHttp, primaryGrpc, replicaHttp] = [await freePort(), await freePort(), await freePort()];
  const start = async (name: string, args: string[], port: number) => {
    const child = spawn(binary, ["--db-path", path.join(dir, name), "--http-listen-addr", `127.0.0.1:${port}`, "--no-welcome", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const supervised = supervise(child);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(child, `${url}/health`, `sqld ${name}`, supervised.output, 30_000);
    return { url, supervised };
  };
  const primary = await start("primary", ["--grpc-listen-addr", `127.0.0.1:${primaryGrpc}`], primaryHttp);
  let replica: Awaited<ReturnType<typeof start>>;
  try {
    replica = await start("replica", ["--primary-grpc-url", `http://127.0.0.1:${primaryGrpc}`], replicaHttp);
  } catch (error) {
    await primary.supervised.stop("SIGTERM", 5_000);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    primaryUrl: primary.url,
    replicaUrl: replica.url,
    output: () => `--- primary\n${primary.supervised.output()}\n--- replica\n${replica.supervised.output()}`,
    async stop() {
      await replica.supervised.stop("SIGTERM", 5_000);
      await primary.supervised.stop("SIGTERM", 5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
