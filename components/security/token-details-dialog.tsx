"use client";

import { useState, type RefObject } from "react";
import { formatDateTime } from "@/lib/client/format";
import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { ErrorNote } from "@/components/ui/error-note";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { ExpiredBadge, ExpiryLabel } from "./expiry-label";
import { allowedExpiryChoices, EXPIRY_CHOICES, expiryFrom, type ExpiryChoice } from "./expiry-choices";
import { explain } from "./messages";
import { ScopePermissions } from "./scope-permissions";
import { RelativeTime } from "./time-label";
import type { TokenView } from "./token-api";
import { useTokenPolicy, VIOLATION_TEXT } from "./policy-api";
import { latestExpiry } from "@/lib/tokens/policy-rules";
import { TokenEditForm } from "./token-edit-form";
import { TokenUsageSection } from "./token-usage-section";
import { TokenSecretDialog } from "./token-secret-dialog";
import { useManageTokenDialog, type RotateRequest } from "./use-manage-token-dialog";

const GRACE_CHOICES = [
  { seconds: 0, label: "None: the old token stops now", words: "" },
  { seconds: 300, label: "5 minutes", words: "5 minutes" },
  { seconds: 3_600, label: "1 hour", words: "an hour" },
  { seconds: 86_400, label: "24 hours", words: "24 hours" },
] as const;

const GRACE_OPTIONS = GRACE_CHOICES.map((c) => ({ value: c.seconds as number, label: c.label }));

/** Presets for the new expiry of an expired token's rotation (no custom date: edit the token for that). */
const ROTATE_EXPIRY_CHOICES = EXPIRY_CHOICES.filter((c) => c.value !== "custom");

export interface TokenDetailsDialogProps {
  token: TokenView | null;
  onClose(): void;
  /** Where focus goes after the rotated secret is shown (the Manage button it came from may be gone). */
  returnFocus: RefObject<HTMLElement | null>;
}

/**
 * One token in full: what it can do, when and where it was last used, and the
 * changes short of deleting it (edit, rotate). Owns its writes (useManageTokenDialog).
 */
export function TokenDetailsDialog({ token, onClose, returnFocus }: TokenDetailsDialogProps) {
  const manage = useManageTokenDialog(token, onClose);
  const grace = GRACE_CHOICES.find((g) => g.seconds === manage.rotating?.graceSeconds);
  return (
    <>
      <Dialog open={token !== null} onRequestClose={manage.close} title={token ? `Token “${token.name}”` : ""} size="lg">
        {token && <TokenDetails key={token.id} token={token} manage={manage} />}
      </Dialog>
      <ConfirmDialog
        open={manage.rotating !== null}
        onCancel={manage.cancelRotate}
        onConfirm={manage.confirmRotate}
        title={token ? `Rotate “${token.name}”?` : ""}
        description={
          grace && grace.seconds > 0
            ? `A new secret is made now. The current one keeps working for ${grace.words}, then stops: update every bot that uses it before then.`
            : "A new secret is made now and the current one stops working now: every bot that uses it is refused until it has the new one."
        }
        confirmLabel="Rotate now"
        pendingLabel="Rotating…"
        pending={manage.rotatePending}
        error={manage.rotateError ? explain(manage.rotateError, "rotate the token") : undefined}
      />
      <TokenSecretDialog key={`rotated-${manage.rotated?.id}`} kind="rotated" created={manage.rotated} onClose={manage.dismissRotated} returnFocus={returnFocus} />
    </>
  );
}

type Manage = ReturnType<typeof useManageTokenDialog>;

function statusOf(token: TokenView) {
  if (token.expired) return { label: "Expired", note: token.enabled ? "Switched on, but refused: it has expired." : "Switched off, and expired." };
  return { label: token.enabled ? "Enabled" : "Disabled", note: token.enabled ? "" : "Refused until switched on again." };
}

function TokenDetails({ token, manage }: { token: TokenView; manage: Manage }) {
  const [now] = useState(() => Date.now());
  const status = statusOf(token);
  return (
    <div className="space-y-6">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm">
        <div>
          <dt className="text-zinc-600 dark:text-zinc-400">Scope</dt>
          <dd className="mt-0.5">
            <ScopePermissions tokenId={token.id} scope={token.scope} />
          </dd>
        </div>
        <div>
          <dt className="text-zinc-600 dark:text-zinc-400">Status</dt>
          <dd className="mt-0.5">
            {token.expired ? <ExpiredBadge /> : status.label}
            {status.note && <span className="ml-1.5 text-zinc-600 dark:text-zinc-400">{status.note}</span>}
          </dd>
        </div>
        <div>
          <dt className="text-zinc-600 dark:text-zinc-400">Created</dt>
          <dd className="mt-0.5">
            <RelativeTime ms={token.createdAt * 1000} now={now} />
          </dd>
        </div>
        <div>
          <dt className="text-zinc-600 dark:text-zinc-400">Expires</dt>
          <dd className="mt-0.5">
            <ExpiryLabel expiresAt={token.expiresAt} now={now} />
          </dd>
        </div>
        <div>
          <dt className="text-zinc-600 dark:text-zinc-400">Last used</dt>
          <dd className="mt-0.5">
            {token.lastUsedAt === 0 ? (
              "Never"
            ) : (
              <>
                <RelativeTime ms={token.lastUsedAt * 1000} now={now} />{" "}
                <span className="text-zinc-600 dark:text-zinc-400">from {token.lastUsedIp || "an unknown address"}</span>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt className="text-zinc-600 dark:text-zinc-400">Token starts with</dt>
          <dd className="mt-0.5 font-mono">{token.prefix ? `${token.prefix}…` : "(imported)"}</dd>
        </div>
        <div>
          <dt className="text-zinc-600 dark:text-zinc-400">Rate limit</dt>
          <dd className="mt-0.5">
            {token.rateLimitPerMinute ? `${token.rateLimitPerMinute.toLocaleString("en")} requests per minute` : "No limit"}
          </dd>
        </div>
        {token.graceUntil > 0 && (
          <div className="col-span-2">
            <dt className="text-zinc-600 dark:text-zinc-400">Previous secret</dt>
            <dd className="mt-0.5">Still accepted until {formatDateTime(token.graceUntil)} (rotation grace period)</dd>
          </div>
        )}
        {token.canary && (
          <div className="col-span-2">
            <dt className="text-zinc-600 dark:text-zinc-400">Canary token</dt>
            <dd className="mt-0.5">
              A decoy: it never works, and every use is recorded in the audit log (“Canary token used”, with the address and
              browser). Its last use above is the last time someone tried it.
            </dd>
          </div>
        )}
        {token.policyViolations.length > 0 && (
          <div className="col-span-2">
            <dt className="text-zinc-600 dark:text-zinc-400">Token policy</dt>
            <dd className="mt-0.5 text-orange-800 dark:text-orange-300">
              {token.policyViolations.map((v) => VIOLATION_TEXT[v]).join(" ")} It was made before that rule and keeps working; edit
              or rotate it below to bring it within the policy.
            </dd>
          </div>
        )}
        {token.reuseDetectedAt > 0 && (
          <div className="col-span-2">
            <dt className="text-zinc-600 dark:text-zinc-400">Old secret used</dt>
            <dd className="mt-0.5 text-red-700 dark:text-red-400">
              A rotated-out secret of this token was presented on {formatDateTime(token.reuseDetectedAt)}, after its grace period
              ended. It was refused, but whoever sent it has a copy: find where it leaked (the audit log has the address).
            </dd>
          </div>
        )}
      </dl>

      <TokenUsageSection token={token} />
      <TokenEditForm token={token} manage={manage} />
      <RotateSection token={token} onRotate={manage.askRotate} pending={manage.rotatePending} />

      <div className="flex justify-end border-t border-zinc-200 pt-4 dark:border-zinc-800">
        <Button onClick={manage.close}>Close</Button>
      </div>
    </div>
  );
}

function RotateSection({ token, onRotate, pending }: { token: TokenView; onRotate(r: RotateRequest): void; pending: boolean }) {
  const [grace, setGrace] = useState(3_600);
  const policy = useTokenPolicy().data;
  const rules = policy && !token.canary ? policy : null;
  const choices = rules ? allowedExpiryChoices(rules, ROTATE_EXPIRY_CHOICES) : ROTATE_EXPIRY_CHOICES;
  const [picked, setExpiry] = useState<ExpiryChoice>("30");
  const expiry = choices.some((c) => c.value === picked) ? picked : (choices.at(-1)?.value ?? "7");
  // The server caps a kept expiry to the policy's maximum lifetime (lib/tokens/service.ts rotateToken).
  const [openedAt] = useState(() => Date.now());
  const latest = rules ? latestExpiry(rules, openedAt) : null;
  const capped = latest !== null && !token.expired && (token.expiresAt === 0 || token.expiresAt > latest);
  return (
    <div className="space-y-3 border-t border-zinc-200 pt-5 dark:border-zinc-800">
      <h3 className="text-sm font-semibold">Rotate</h3>
      {token.expired ? (
        <ErrorNote className="bg-amber-50 text-amber-950 dark:bg-amber-950/40 dark:text-amber-100">
          This token has expired, so a new secret needs a new expiry: without one it would be refused from the start.
        </ErrorNote>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Issue a new secret for this token (same name, scope, expiry, allowlist and rate limit). Give callers a grace period to switch
          over, during which the current secret keeps working.
          {capped ? ` The token policy limits tokens to ${rules!.maxLifetimeDays} days, so the new secret expires ${rules!.maxLifetimeDays} days from now.` : ""}
        </p>
      )}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <Field label="Grace period" className="flex-1">
          {(control) => (
            <Select<number> {...control} value={grace} options={GRACE_OPTIONS} onValueChange={setGrace} />
          )}
        </Field>
        {token.expired && (
          <Field label="New expiry" className="flex-1">
            {(control) => (
              <Select<ExpiryChoice> {...control} value={expiry} options={choices} onValueChange={setExpiry} />
            )}
          </Field>
        )}
        <Button
          onClick={() => onRotate(token.expired ? { graceSeconds: grace, expiresAt: expiryFrom(expiry, "", Date.now()) } : { graceSeconds: grace })}
          disabled={pending}
        >
          Rotate token
        </Button>
      </div>
    </div>
  );
}
