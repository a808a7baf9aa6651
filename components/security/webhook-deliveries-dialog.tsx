"use client";

import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { LoadError, LoadingRows } from "@/components/ui/load-states";
import { DeliveryState } from "./delivery-state";
import { explain } from "./messages";
import { RelativeTime } from "./time-label";
import { useWebhookDeliveries, type WebhookView } from "./webhook-api";

/** The newest deliveries of one webhook, refreshed every few seconds while open. */
export function WebhookDeliveriesDialog({ webhook, onClose }: { webhook: WebhookView | null; onClose(): void }) {
  const log = useWebhookDeliveries(webhook?.id ?? null);
  const now = log.dataUpdatedAt || 0;
  return (
    <Dialog
      open={webhook !== null}
      onRequestClose={onClose}
      title={webhook ? `Deliveries of “${webhook.name}”` : ""}
      description="The newest 100, kept 30 days. A failed attempt is tried again later, each wait four times longer than the one before, up to 8 attempts."
      size="lg"
    >
      {log.data ? (
        log.data.length > 0 ? (
          <ul aria-label="Deliveries" className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
            {log.data.map((d) => (
              <li key={d.id} className="flex flex-col gap-1 px-3 py-2.5 text-sm sm:flex-row sm:items-start sm:justify-between sm:gap-4">
                <div className="min-w-0">
                  <code className="font-mono text-xs">{d.event}</code>
                  <p className="text-xs text-zinc-600 dark:text-zinc-400">
                    #{d.id} · queued <RelativeTime ms={d.createdAt} now={now} />
                  </p>
                </div>
                <div className="sm:max-w-[60%] sm:text-right">
                  <DeliveryState delivery={d} now={now} />
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="py-6 text-center text-sm text-zinc-600 dark:text-zinc-400">Nothing sent yet. Use “Send test” to try the address.</p>
        )
      ) : log.isError ? (
        <LoadError what="the deliveries" reason={explain(log.error, "load the deliveries")} retrying={log.isFetching} onRetry={() => log.refetch()} />
      ) : (
        <LoadingRows label="Loading deliveries" rows={3} />
      )}
      <div className="mt-4 flex justify-end">
        <Button onClick={onClose}>Close</Button>
      </div>
    </Dialog>
  );
}
