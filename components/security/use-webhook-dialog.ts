"use client";

import { useState } from "react";
import { useToast } from "@/components/ui/toast";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { createWebhookBody } from "@/lib/webhooks/schemas";
import type { WebhookEvent } from "@/lib/webhooks/events";
import { useCreateWebhook, useRotateWebhookSecret, useUpdateWebhook, type WebhookView } from "./webhook-api";

export type WebhookDialogTarget = { mode: "create" } | { mode: "edit"; webhook: WebhookView };

type Field = "name" | "url" | "events";

/**
 * The add/edit webhook dialog's state: the fields, their problems (the API's
 * own schema, checked as typed once submitted), one request per save however
 * often it is clicked, and the signing secret while it is shown (create, or a
 * new secret), dropped on close.
 */
export function useWebhookDialog(target: WebhookDialogTarget, onClose: () => void) {
  const editing = target.mode === "edit" ? target.webhook : null;
  const [name, setName] = useState(editing?.name ?? "");
  const [url, setUrl] = useState(editing?.url ?? "https://");
  const [events, setEvents] = useState<Set<string>>(new Set(editing?.events ?? []));
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [submitted, setSubmitted] = useState(false);
  const [askRotate, setAskRotate] = useState(false);
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const rotate = useRotateWebhookSecret();
  const once = useSingleFlight();
  const toast = useToast();

  const parsed = createWebhookBody.safeParse({ name, url, events: [...events], enabled });
  const problems: Partial<Record<Field, string>> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) problems[issue.path[0] as Field] ??= issue.message;
  const shown = submitted ? problems : {};
  const secret = create.data?.secret ?? rotate.data?.secret;
  const failure = create.error ?? update.error ?? rotate.error;

  function toggle(event: WebhookEvent, on: boolean) {
    setEvents((current) => {
      const next = new Set(current);
      if (on) next.add(event);
      else next.delete(event);
      return next;
    });
  }

  function submit() {
    setSubmitted(true);
    if (!parsed.success) return;
    void once(async () => {
      if (!editing) {
        await create.mutateAsync(parsed.data);
        return; // the secret is shown next; the dialog closes from there
      }
      await update.mutateAsync({ id: editing.id, ...parsed.data });
      toast.success(`Webhook “${parsed.data.name}” saved.`);
      onClose();
    });
  }

  function makeNewSecret() {
    if (!editing) return;
    void once(async () => {
      await rotate.mutateAsync(editing.id);
      setAskRotate(false);
    });
  }

  function close() {
    if (create.isPending || update.isPending || rotate.isPending) return;
    create.reset();
    rotate.reset();
    onClose();
  }

  return {
    editing,
    fields: { name, url, events, enabled },
    set: { name: setName, url: setUrl, enabled: setEnabled, toggle, all: (on: boolean, all: readonly string[]) => setEvents(new Set(on ? all : [])) },
    problems: shown,
    failure,
    pending: create.isPending || update.isPending,
    rotating: rotate.isPending,
    rotateFailed: rotate.isError,
    askRotate,
    setAskRotate,
    secret,
    createdName: create.data?.name,
    submit,
    makeNewSecret,
    close,
  };
}
