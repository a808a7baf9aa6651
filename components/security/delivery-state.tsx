import { relativeTime } from "@/lib/client/format";
import type { DeliveryView } from "./webhook-api";

/** A delivery's outcome in words: delivered, retrying (and why), or given up. */
export function deliveryWords(d: DeliveryView, now: number): { tone: "ok" | "warn" | "bad" | "wait"; text: string } {
  const why = d.lastError || (d.lastStatus ? `HTTP ${d.lastStatus}` : "");
  if (d.state === "delivered") return { tone: "ok", text: `Delivered${d.attempts > 1 ? ` on attempt ${d.attempts}` : ""} (HTTP ${d.lastStatus})` };
  if (d.state === "failed") return { tone: "bad", text: `Gave up after ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}: ${why}` };
  if (d.attempts === 0) return { tone: "wait", text: "Queued: sending…" };
  return { tone: "warn", text: `Attempt ${d.attempts} failed: ${why}. Next try ${d.nextAttemptAt <= now ? "now" : relativeTime(d.nextAttemptAt, now)}` };
}

const TONES = {
  ok: "bg-emerald-50 text-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-200",
  warn: "bg-amber-50 text-amber-900 dark:bg-amber-950/50 dark:text-amber-100",
  bad: "bg-red-50 text-red-800 dark:bg-red-950/50 dark:text-red-200",
  wait: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200",
};

export function DeliveryState({ delivery, now }: { delivery: DeliveryView; now: number }) {
  const { tone, text } = deliveryWords(delivery, now);
  return <span className={`inline-block rounded-md px-2 py-0.5 text-xs font-medium break-words ${TONES[tone]}`}>{text}</span>;
}
