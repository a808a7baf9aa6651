import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./process";
import { startSqld, type SqldServer } from "./sqld";

/**
 * A sqld primary and one replica on loopback, as libSQL scales past one
 * machine: the replica pulls WAL frames from the primary over gRPC
 * (`--primary-grpc-url`) and forwards writes to it. Both serve HTTP for
 * DATABASE_URL; each can be killed and restarted on its port and data.
 */
export interface SqldCluster {
  primary: SqldServer;
  replica: SqldServer;
  output(): string;
  stop(): Promise<void>;
}

export async function startSqldCluster(binary: string): Promise<SqldCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "xui-sqld-cluster-"));
  const folder = (name: string) => {
    mkdirSync(path.join(dir, name));
    return path.join(dir, name);
  };
  const grpc = `127.0.0.1:${await freePort()}`;
  const primary = await startSqld(binary, folder("primary"), ["--grpc-listen-addr", grpc]);
  let replica: SqldServer;
  try {
    replica = await startSqld(binary, folder("replica"), ["--primary-grpc-url", `http://${grpc}`]);
  } catch (error) {
    await primary.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    primary,
    replica,
    output: () => `--- primary\n${primary.output()}\n--- replica\n${replica.output()}`,
    async stop() {
      await replica.stop();
      await primary.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
