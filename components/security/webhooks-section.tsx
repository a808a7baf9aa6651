"use client";

import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { LoadError, LoadingRows, StaleBanner } from "@/components/ui/load-states";
import { SectionCard } from "@/components/ui/section-card";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { EVENT_LABELS, WEBHOOK_EVENTS, type WebhookEvent } from "@/lib/webhooks/events";
import { DeliveryState } from "./delivery-state";
import { explain } from "./messages";
import { RelativeTime } from "./time-label";
import { useDeleteWebhookDialog } from "./use-delete-webhook-dialog";
import type { WebhookDialogTarget } from "./use-webhook-dialog";
import { useTestWebhook, useUpdateWebhook, useWebhooks, type WebhookView } from "./webhook-api";
import { WebhookDeliveriesDialog } from "./webhook-deliveries-dialog";
import { WebhookDialog } from "./webhook-dialog";

function eventsSummary(events: string[]): string {
  if (events.length === WEBHOOK_EVENTS.length) return "All events";
  if (events.length <= 2) return events.map((e) => EVENT_LABELS[e as WebhookEvent] ?? e).join(", ");
  return `${events.length} events`;
}

function WebhookRow({ webhook, now, onEdit, onDeliveries, onDelete }: { webhook: WebhookView; now: number; onEdit(): void; onDeliveries(): void; onDelete(): void }) {
  const update = useUpdateWebhook();
  const test = useTestWebhook();
  const once = useSingleFlight();
  const toast = useToast();
  const failure = update.error ?? test.error;

  function toggle(enabled: boolean) {
    void once(async () => {
      await update.mutateAsync({ id: webhook.id, enabled });
      toast.success(enabled ? `Webhook “${webhook.name}” is on.` : `Webhook “${webhook.name}” is off: nothing is sent.`);
    });
  }

  function sendTest() {
    void once(async () => {
      await test.mutateAsync(webhook.id);
      toast.success("Test queued: it is sent within a second or two. Open Deliveries to see the answer.");
    });
  }

  return (
    <li className="space-y-3 px-5 py-4">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0 space-y-1">
          <p className="font-medium break-words">{webhook.name}</p>
          <p className="font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">{webhook.url}</p>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" title={webhook.events.join(", ")}>
            {eventsSummary(webhook.events)}
          </p>
          <div className="text-sm">
            {webhook.lastDelivery ? (
              <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
                <DeliveryState delivery={webhook.lastDelivery} now={now} />
                <span className="text-xs text-zinc-600 dark:text-zinc-400">
                  <code className="font-mono">{webhook.lastDelivery.event}</code>, <RelativeTime ms={webhook.lastDelivery.lastAttemptAt || webhook.lastDelivery.createdAt} now={now} />
                </span>
              </span>
            ) : (
              <span className="text-zinc-600 dark:text-zinc-400">Nothing sent yet</span>
            )}
          </div>
        </div>
        <div className="flex shrink-0 items-center gap-2">
          <Switch checked={webhook.enabled} onChange={toggle} disabled={update.isPending} label={`Webhook ${webhook.name} on`} />
          <span className="text-sm">{webhook.enabled ? "On" : "Off"}</span>
        </div>
      </div>
      {failure && (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950/60 dark:text-red-200">
          {explain(failure, update.error ? "change the webhook" : "send a test")}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <Button size="sm" onClick={sendTest} disabled={test.isPending || !webhook.enabled} aria-label={`Send test to ${webhook.name}`}>
          {test.isPending ? "Queueing…" : "Send test"}
        </Button>
        <Button size="sm" onClick={onDeliveries} aria-label={`Deliveries of ${webhook.name}`}>
          Deliveries
        </Button>
        <Button size="sm" onClick={onEdit} aria-label={`Edit webhook ${webhook.name}`}>
          Edit
        </Button>
        <Button size="sm" variant="ghostDanger" onClick={onDelete} aria-label={`Delete webhook ${webhook.name}`}>
          Delete
        </Button>
      </div>
    </li>
  );
}

/** Settings → Security → Webhooks: where the panel announces security events, and how each delivery went. */
export function WebhooksSection() {
  const hooks = useWebhooks();
  const [dialog, setDialog] = useState<WebhookDialogTarget | null>(null);
  const [showing, setShowing] = useState<WebhookView | null>(null);
  const [deleting, setDeleting] = useState<WebhookView | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const remove = useDeleteWebhookDialog(deleting, () => setDeleting(null));
  const now = hooks.dataUpdatedAt || 0;

  return (
    <SectionCard
      headingId="webhooks-heading"
      title="Webhooks"
      description="Tell another system when a token is created, rotated, disabled or deleted, a leaked or canary token is used, a token is about to expire, someone signs in from a new address or two-factor sign-in is turned off. Each message is signed, and retried for hours while your receiver does not accept it."
      actions={
        <Button ref={addButton} variant="primary" onClick={() => setDialog({ mode: "create" })}>
          Add a webhook
        </Button>
      }
    >
      {hooks.data && hooks.isError && (
        <StaleBanner what="the webhooks" reason={explain(hooks.error, "load the webhooks")} since={hooks.dataUpdatedAt} retrying={hooks.isFetching} onRetry={() => hooks.refetch()} />
      )}
      {hooks.data ? (
        hooks.data.length > 0 ? (
          <ul aria-label="Webhooks" className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {hooks.data.map((h) => (
              <WebhookRow
                key={h.id}
                webhook={h}
                now={now}
                onEdit={() => setDialog({ mode: "edit", webhook: h })}
                onDeliveries={() => setShowing(h)}
                onDelete={() => setDeleting(h)}
              />
            ))}
          </ul>
        ) : (
          <div className="px-5 py-10 text-center">
            <p className="font-medium">No webhooks yet</p>
            <p className="mx-auto mt-1 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
              Add one to get security events in your chat, alerting or SIEM as they happen.
            </p>
          </div>
        )
      ) : hooks.isError ? (
        <LoadError what="the webhooks" reason={explain(hooks.error, "load the webhooks")} retrying={hooks.isFetching} onRetry={() => hooks.refetch()} />
      ) : (
        <LoadingRows label="Loading webhooks" rows={2} />
      )}
      {dialog && <WebhookDialog key={dialog.mode === "edit" ? dialog.webhook.id : "new"} target={dialog} onClose={() => setDialog(null)} />}
      <WebhookDeliveriesDialog webhook={showing} onClose={() => setShowing(null)} />
      <ConfirmDialog
        open={deleting !== null}
        onCancel={remove.cancel}
        onConfirm={remove.confirm}
        title={deleting ? `Delete webhook “${deleting.name}”?` : ""}
        description="Nothing more is sent to it, deliveries still queued are dropped and its delivery log is deleted."
        confirmLabel="Delete webhook"
        pendingLabel="Deleting…"
        pending={remove.pending}
        error={remove.error ? explain(remove.error, "delete the webhook") : undefined}
        returnFocus={addButton}
      />
    </SectionCard>
  );
}
