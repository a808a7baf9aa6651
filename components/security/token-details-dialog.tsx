"use client";

import { useId, useState, type FormEvent } from "react";
import type { TokenView } from "@/lib/tokens/schemas";
import { endOfDay, formatDateTime, isoDay, relativeTime } from "@/lib/client/format";
import type { UpdateTokenVariables } from "@/lib/client/token-queries";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorNote } from "@/components/ui/error-note";
import { inputClass } from "@/components/ui/styles";
import { ExpiryLabel } from "./expiry-label";
import { ScopePermissions } from "./scope-permissions";

const DAY_MS = 86_400_000;

const GRACE_CHOICES = [
  { seconds: 0, label: "None: the old token stops now" },
  { seconds: 300, label: "5 minutes" },
  { seconds: 3_600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
] as const;

export interface TokenDetailsDialogProps {
  token: TokenView | null;
  now: number;
  onClose(): void;
  onSave(changes: UpdateTokenVariables): void;
  saving: boolean;
  saveError?: string;
  onRotate(graceSeconds: number): void;
  rotating: boolean;
  rotateError?: string;
}

/**
 * One token in full: what it can do, when and where it was last used, and the
 * actions that change it without deleting it (edit, rotate).
 */
export function TokenDetailsDialog(props: TokenDetailsDialogProps) {
  const { token, onClose } = props;
  return (
    <Dialog open={token !== null} onRequestClose={onClose} title={token ? `Token “${token.name}”` : ""} size="lg">
      {token && <TokenDetails key={token.id} {...props} token={token} />}
    </Dialog>
  );
}

function TokenDetails({ token, now, onClose, onSave, saving, saveError, onRotate, rotating, rotateError }: TokenDetailsDialogProps & { token: TokenView }) {
  const ids = { name: useId(), expiry: useId(), ips: useId(), ipsHelp: useId(), grace: useId() };
  const [grace, setGrace] = useState(3_600);
  const [neverExpires, setNeverExpires] = useState(token.expiresAt === 0);

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const date = String(data.get("expiry") ?? "");
    const expiresAt = neverExpires || !date ? 0 : endOfDay(date);
    const allowedIps = String(data.get("ips") ?? "")
      .split(/[\s,]+/)
      .filter(Boolean);
    onSave({ id: token.id, name: String(data.get("name") ?? ""), expiresAt, allowedIps });
  }

  return (
    <div className="space-y-6">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
        <div>
          <dt className="text-zinc-500 dark:text-zinc-400">Scope</dt>
          <dd className="mt-0.5">
            <ScopePermissions tokenId={token.id} scope={token.scope} />
          </dd>
        </div>
        <div>
          <dt className="text-zinc-500 dark:text-zinc-400">Status</dt>
          <dd className="mt-0.5">{token.enabled ? "Enabled" : "Disabled"}</dd>
        </div>
        <div>
          <dt className="text-zinc-500 dark:text-zinc-400">Created</dt>
          <dd className="mt-0.5">{formatDateTime(token.createdAt * 1000)}</dd>
        </div>
        <div>
          <dt className="text-zinc-500 dark:text-zinc-400">Expires</dt>
          <dd className="mt-0.5">
            <ExpiryLabel expiresAt={token.expiresAt} now={now} />
          </dd>
        </div>
        <div>
          <dt className="text-zinc-500 dark:text-zinc-400">Last used</dt>
          <dd className="mt-0.5">
            {token.lastUsedAt === 0 ? (
              "Never"
            ) : (
              <>
                {relativeTime(token.lastUsedAt * 1000, now)}{" "}
                <span className="text-zinc-500 dark:text-zinc-400">from {token.lastUsedIp || "an unknown address"}</span>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt className="text-zinc-500 dark:text-zinc-400">Token starts with</dt>
          <dd className="mt-0.5 font-mono">{token.prefix ? `${token.prefix}…` : "(imported)"}</dd>
        </div>
        {token.graceUntil > 0 && (
          <div className="sm:col-span-2">
            <dt className="text-zinc-500 dark:text-zinc-400">Previous secret</dt>
            <dd className="mt-0.5">Still accepted until {formatDateTime(token.graceUntil)} (rotation grace period)</dd>
          </div>
        )}
      </dl>

      <form onSubmit={save} className="space-y-4 border-t border-zinc-200 pt-5 dark:border-zinc-800" aria-labelledby={`${ids.name}-legend`}>
        <h3 id={`${ids.name}-legend`} className="text-sm font-semibold">
          Edit
        </h3>
        {saveError && (
          <ErrorNote>{saveError}</ErrorNote>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <div className="space-y-1.5">
            <label htmlFor={ids.name} className="text-sm font-medium">
              Token name
            </label>
            <input id={ids.name} name="name" defaultValue={token.name} required className={inputClass()} autoComplete="off" />
          </div>
          <div className="space-y-1.5">
            <label htmlFor={ids.expiry} className="text-sm font-medium">
              Expires on
            </label>
            <input
              id={ids.expiry}
              name="expiry"
              type="date"
              disabled={neverExpires}
              defaultValue={token.expiresAt ? isoDay(token.expiresAt) : isoDay(now + 30 * DAY_MS)}
              min={isoDay(now + DAY_MS)}
              className={inputClass()}
            />
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={neverExpires} onChange={(e) => setNeverExpires(e.target.checked)} />
              Never expires
            </label>
          </div>
        </div>
        <div className="space-y-1.5">
          <label htmlFor={ids.ips} className="text-sm font-medium">
            Allowed IP addresses
          </label>
          <textarea
            id={ids.ips}
            name="ips"
            rows={3}
            defaultValue={token.allowedIps.join("\n")}
            aria-describedby={ids.ipsHelp}
            placeholder={"203.0.113.0/24\n2001:db8::/32"}
            className={`${inputClass()} font-mono`}
            spellCheck={false}
          />
          <p id={ids.ipsHelp} className="text-xs text-zinc-500 dark:text-zinc-400">
            One IPv4/IPv6 address or CIDR range per line. Empty: usable from anywhere. From any other address the token is
            refused like a wrong one.
          </p>
        </div>
        <div className="flex justify-end">
          <Button type="submit" variant="primary" disabled={saving}>
            {saving ? "Saving…" : "Save changes"}
          </Button>
        </div>
      </form>

      <div className="space-y-3 border-t border-zinc-200 pt-5 dark:border-zinc-800">
        <h3 className="text-sm font-semibold">Rotate</h3>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Issue a new secret for this token (same name, scope, expiry and allowlist). Give callers a grace period to switch
          over, during which the current secret keeps working.
        </p>
        {rotateError && (
          <ErrorNote>{rotateError}</ErrorNote>
        )}
        <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="flex-1 space-y-1.5">
            <label htmlFor={ids.grace} className="text-sm font-medium">
              Grace period
            </label>
            <select id={ids.grace} value={grace} onChange={(e) => setGrace(Number(e.target.value))} className={inputClass()}>
              {GRACE_CHOICES.map((c) => (
                <option key={c.seconds} value={c.seconds}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <Button onClick={() => onRotate(grace)} disabled={rotating}>
            {rotating ? "Rotating…" : "Rotate token"}
          </Button>
        </div>
      </div>

      <div className="flex justify-end border-t border-zinc-200 pt-4 dark:border-zinc-800">
        <Button onClick={onClose}>Close</Button>
      </div>
    </div>
  );
}
