"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSession } from "@/components/session-provider";
import { callApi } from "@/lib/client/fetch";
import type { CreatedWebhook, DeliveryView, UpdateWebhookInput, WebhookView } from "@/lib/webhooks/schemas";

export type { CreatedWebhook, DeliveryView, WebhookView };

const BASE = "/panel/api/setting/webhooks";

export const webhookKeys = {
  all: ["webhooks"] as const,
  list: () => [...webhookKeys.all, "list"] as const,
  deliveries: (id: number) => [...webhookKeys.all, "deliveries", id] as const,
};

export function useWebhooks() {
  return useQuery({
    queryKey: webhookKeys.list(),
    queryFn: ({ signal }) => callApi<WebhookView[]>(BASE, { signal }),
    // The "last delivery" column follows retries.
    refetchInterval: 10_000,
  });
}

/** A webhook's delivery log, polled while it is shown: every second while a delivery is on its way. */
export function useWebhookDeliveries(id: number | null) {
  return useQuery({
    queryKey: webhookKeys.deliveries(id ?? 0),
    queryFn: ({ signal }) => callApi<DeliveryView[]>(`${BASE}/${id}/deliveries`, { signal }),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data?.some((d) => d.state === "pending") ? 1_000 : 5_000),
  });
}

/** `holdsSecret`: the answer carries a signing secret, so the mutation cache drops it as soon as the dialog does. */
function useWebhookChange<V, R>(send: (csrfToken: string, variables: V) => Promise<R>, holdsSecret = false) {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => send(csrfToken, variables),
    ...(holdsSecret && { gcTime: 0 }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

export interface WebhookFields {
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
}

export function useCreateWebhook() {
  return useWebhookChange((csrfToken, body: WebhookFields) => callApi<CreatedWebhook>(`${BASE}/create`, { method: "POST", body, csrfToken }), true);
}

export function useUpdateWebhook() {
  return useWebhookChange((csrfToken, { id, ...body }: UpdateWebhookInput & { id: number }) =>
    callApi<WebhookView>(`${BASE}/update/${id}`, { method: "POST", body, csrfToken }),
  );
}

export function useDeleteWebhook() {
  return useWebhookChange((csrfToken, id: number) => callApi<null>(`${BASE}/delete/${id}`, { method: "POST", csrfToken }));
}

export function useRotateWebhookSecret() {
  return useWebhookChange((csrfToken, id: number) => callApi<{ secret: string }>(`${BASE}/rotateSecret/${id}`, { method: "POST", csrfToken }), true);
}

export function useTestWebhook() {
  return useWebhookChange((csrfToken, id: number) => callApi<DeliveryView>(`${BASE}/test/${id}`, { method: "POST", csrfToken }));
}
