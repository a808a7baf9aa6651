"use client";

import type { FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorNote } from "@/components/ui/error-note";
import { Field } from "@/components/ui/field";
import { inputClass } from "@/components/ui/styles";
import { Switch } from "@/components/ui/switch";
import { EVENT_LABELS, WEBHOOK_EVENTS } from "@/lib/webhooks/events";
import { explain } from "./messages";
import { useWebhookDialog, type WebhookDialogTarget } from "./use-webhook-dialog";
import { WebhookSecretView } from "./webhook-secret-view";

/** Add a webhook, or edit one (and give it a new signing secret). */
export function WebhookDialog({ target, onClose }: { target: WebhookDialogTarget; onClose(): void }) {
  const d = useWebhookDialog(target, onClose);
  const title = d.secret ? (d.editing ? "Copy the new signing secret" : `Webhook “${d.createdName}” added`) : d.editing ? `Edit webhook “${d.editing.name}”` : "Add a webhook";

  function submit(event: FormEvent) {
    event.preventDefault();
    d.submit();
  }

  return (
    <Dialog
      open
      onRequestClose={d.secret ? () => undefined : d.close}
      title={title}
      description={
        d.secret
          ? "Deliveries are signed with this secret from now on."
          : "The panel POSTs a signed JSON message to this address when one of the chosen events happens. Messages name tokens and addresses; they never hold a token, password or code."
      }
      size="lg"
    >
      {d.secret ? (
        <WebhookSecretView secret={d.secret} onDone={d.close} />
      ) : (
        <form onSubmit={submit} noValidate className="space-y-5">
          {d.failure && <ErrorNote>{explain(d.failure, d.rotateFailed ? "make a new signing secret" : d.editing ? "save the webhook" : "add the webhook")}</ErrorNote>}
          <Field label="Name" error={d.problems.name} help="For you: which system receives it (“Alerting”, “SIEM”).">
            {(control) => (
              <input {...control} value={d.fields.name} onChange={(e) => d.set.name(e.target.value)} maxLength={64} data-autofocus className={inputClass(Boolean(d.problems.name))} />
            )}
          </Field>
          <Field
            label="URL"
            error={d.problems.url}
            help="Where your receiver listens; https:// keeps the messages private on the way. Loopback and private addresses are refused unless the server allows them (WEBHOOK_ALLOW_PRIVATE)."
          >
            {(control) => (
              <input
                {...control}
                type="url"
                inputMode="url"
                spellCheck={false}
                autoComplete="off"
                value={d.fields.url}
                onChange={(e) => d.set.url(e.target.value)}
                className={`${inputClass(Boolean(d.problems.url))} font-mono`}
              />
            )}
          </Field>
          <fieldset aria-describedby={d.problems.events ? "webhook-events-error" : undefined}>
            <legend className="text-sm font-medium">Events</legend>
            <div className="mt-1 flex gap-3 text-sm">
              <button type="button" className="text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300" onClick={() => d.set.all(true, WEBHOOK_EVENTS)}>
                Select all
              </button>
              <button type="button" className="text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300" onClick={() => d.set.all(false, WEBHOOK_EVENTS)}>
                Clear
              </button>
            </div>
            <div className="mt-2 grid gap-2 sm:grid-cols-2">
              {WEBHOOK_EVENTS.map((event) => (
                <label key={event} className="flex items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={d.fields.events.has(event)}
                    onChange={(e) => d.set.toggle(event, e.target.checked)}
                    className="mt-0.5 h-4 w-4 shrink-0 accent-indigo-600"
                  />
                  <span>
                    {EVENT_LABELS[event]} <code className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{event}</code>
                  </span>
                </label>
              ))}
            </div>
            {d.problems.events && (
              <p id="webhook-events-error" className="mt-2 text-sm text-red-700 dark:text-red-400">
                {d.problems.events}
              </p>
            )}
          </fieldset>
          <div className="flex items-center gap-3">
            <Switch checked={d.fields.enabled} onChange={d.set.enabled} label="Send deliveries" />
            <span className="text-sm">{d.fields.enabled ? "On: deliveries are sent" : "Off: nothing is sent"}</span>
          </div>

          {d.editing && (
            <div className="space-y-2 rounded-lg border border-zinc-200 p-3 text-sm dark:border-zinc-800">
              <p className="font-medium">Signing secret</p>
              {d.askRotate ? (
                <>
                  <p className="text-zinc-700 dark:text-zinc-300">
                    The current secret stops signing at once: your receiver refuses deliveries until it has the new one. Changes above that are not saved yet are dropped.
                  </p>
                  <div className="flex flex-wrap gap-2">
                    <Button size="sm" variant="danger" onClick={d.makeNewSecret} disabled={d.rotating}>
                      {d.rotating ? "Making a new secret…" : "Make a new secret"}
                    </Button>
                    <Button size="sm" onClick={() => d.setAskRotate(false)} disabled={d.rotating}>
                      Keep the current one
                    </Button>
                  </div>
                </>
              ) : (
                <>
                  <p className="text-zinc-600 dark:text-zinc-400">Shown only when made. Lost it, or it leaked? Make a new one.</p>
                  <Button size="sm" onClick={() => d.setAskRotate(true)}>
                    New signing secret…
                  </Button>
                </>
              )}
            </div>
          )}

          <div className="flex flex-col-reverse gap-2 border-t border-zinc-200 pt-4 sm:flex-row sm:justify-end dark:border-zinc-800">
            <Button onClick={d.close} disabled={d.pending}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" disabled={d.pending}>
              {d.pending ? "Saving…" : d.editing ? "Save webhook" : "Add webhook"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
