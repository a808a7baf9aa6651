"use client";

import { useConfirmedChange } from "@/components/ui/use-confirmed-change";
import { useDeleteWebhook, type WebhookView } from "./webhook-api";

/** Delete, confirmed: one request however often it is clicked; closes on success, says why on failure. */
export function useDeleteWebhookDialog(webhook: WebhookView | null, onClose: () => void) {
  return useConfirmedChange(useDeleteWebhook(), webhook, { variables: (w) => w.id, done: (w) => `Webhook “${w.name}” deleted.` }, onClose);
}
