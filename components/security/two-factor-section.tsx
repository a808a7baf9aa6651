"use client";

import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { LoadError, LoadingRows } from "@/components/ui/load-states";
import { SectionCard } from "@/components/ui/section-card";
import { formatDateTime } from "@/lib/client/format";
import { explain } from "./messages";
import { RecoveryCodesView } from "./recovery-codes-view";
import { codeProblem, useTwoFactorStatus, type TwoFactorStatus } from "./two-factor-api";
import { TwoFactorCodeForm } from "./two-factor-code-form";
import { useEnableTwoFactorDialog } from "./use-enable-two-factor-dialog";
import { useDisableTwoFactorDialog } from "./use-two-factor-code-dialog";
import { useRegenerateCodesDialog } from "./use-regenerate-codes-dialog";

const CODE_HELP = "6 digits from your authenticator app, or one of your recovery codes.";

/** Two-factor sign-in: its state, and the dialogs that turn it on, off, and renew the recovery codes. */
export function TwoFactorSection() {
  const status = useTwoFactorStatus();
  const enable = useEnableTwoFactorDialog();
  const disable = useDisableTwoFactorDialog();
  const regenerate = useRegenerateCodesDialog();

  return (
    <SectionCard
      headingId="two-factor-heading"
      title="Two-factor sign-in"
      description="Besides the password, signing in asks for a 6-digit code from an authenticator app on your phone (Google Authenticator, Aegis, 1Password, …). API tokens are not affected."
    >
      <div className="p-5">
        {status.isPending ? (
          <LoadingRows label="Loading two-factor sign-in" rows={1} />
        ) : status.isError ? (
          <LoadError what="the two-factor state" reason={explain(status.error)} onRetry={() => void status.refetch()} retrying={status.isFetching} />
        ) : (
          <StatusBody
            status={status.data}
            onEnable={enable.start}
            onDisable={disable.show}
            onRegenerate={regenerate.show}
          />
        )}
      </div>

      <Dialog
        open={enable.open}
        onRequestClose={() => !enable.recoveryCodes && enable.close()}
        title={enable.recoveryCodes ? "Save your recovery codes" : "Set up two-factor sign-in"}
        description={
          enable.recoveryCodes
            ? "Two-factor sign-in is on. Use a recovery code if you ever cannot use your phone."
            : "Scan the QR code with your authenticator app, or type the key into it. Then enter the code it shows."
        }
        size="lg"
      >
        {enable.recoveryCodes ? (
          <RecoveryCodesView codes={enable.recoveryCodes} onDone={enable.close} />
        ) : enable.settingUp ? (
          <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
            Making a new key…
          </p>
        ) : enable.setupError ? (
          <div role="alert" className="space-y-3 text-sm text-red-800 dark:text-red-300">
            <p>{codeProblem(enable.setupError)}</p>
            <Button onClick={enable.retrySetup}>Try again</Button>
          </div>
        ) : enable.setup ? (
          <div className="space-y-5">
            <div className="flex flex-col gap-5 sm:flex-row sm:items-start">
              {/* eslint-disable-next-line @next/next/no-img-element -- an SVG made by the server for this secret, as a data URL */}
              <img
                src={`data:image/svg+xml;utf8,${encodeURIComponent(enable.setup.qrSvg)}`}
                alt="QR code to scan with your authenticator app"
                width={176}
                height={176}
                className="h-44 w-44 shrink-0 self-center rounded-lg border border-zinc-200 bg-white sm:self-start dark:border-zinc-700"
              />
              <div className="min-w-0 space-y-1.5 text-sm">
                <p className="font-medium" id="two-factor-secret-label">
                  Can&apos;t scan? Enter this key in the app
                </p>
                <p
                  aria-labelledby="two-factor-secret-label"
                  data-testid="two-factor-secret"
                  className="rounded-lg bg-zinc-50 px-3 py-2 font-mono text-sm tracking-wider break-all select-all dark:bg-zinc-950"
                >
                  {enable.setup.secret.match(/.{1,4}/g)?.join(" ")}
                </p>
                <p className="text-zinc-600 dark:text-zinc-400">Time-based, 6 digits, every 30 seconds.</p>
              </div>
            </div>
            <TwoFactorCodeForm
              label="Code from the app"
              help="Enter the 6 digits the app shows for xui-panel."
              submitLabel="Turn on"
              pendingLabel="Checking…"
              pending={enable.enabling}
              error={codeProblem(enable.enableError)}
              onSubmit={enable.confirm}
              onEdit={enable.clearError}
              onCancel={enable.close}
            />
          </div>
        ) : null}
      </Dialog>

      <Dialog
        open={disable.open}
        onRequestClose={disable.close}
        title="Turn off two-factor sign-in?"
        description="Signing in will ask for the password only. Your recovery codes stop working and your other sessions are signed out."
      >
        <TwoFactorCodeForm
          label="Code"
          help={CODE_HELP}
          submitLabel="Turn off"
          pendingLabel="Turning off…"
          pending={disable.pending}
          error={codeProblem(disable.error)}
          onSubmit={disable.submit}
          onEdit={disable.clearError}
          onCancel={disable.close}
          recoveryAllowed
          tone="danger"
        />
      </Dialog>

      <Dialog
        open={regenerate.open}
        onRequestClose={() => !regenerate.recoveryCodes && regenerate.close()}
        title={regenerate.recoveryCodes ? "Save your new recovery codes" : "Make new recovery codes?"}
        description={
          regenerate.recoveryCodes
            ? "Your old recovery codes no longer work."
            : "You get 10 new codes; the old ones stop working at once."
        }
        size={regenerate.recoveryCodes ? "lg" : "md"}
      >
        {regenerate.recoveryCodes ? (
          <RecoveryCodesView codes={regenerate.recoveryCodes} onDone={regenerate.close} />
        ) : (
          <TwoFactorCodeForm
            label="Code"
            help={CODE_HELP}
            submitLabel="Make new codes"
            pendingLabel="Making codes…"
            pending={regenerate.pending}
            error={codeProblem(regenerate.error)}
            onSubmit={regenerate.submit}
            onEdit={regenerate.clearError}
            onCancel={regenerate.close}
            recoveryAllowed
          />
        )}
      </Dialog>
    </SectionCard>
  );
}

function StatusBody({
  status,
  onEnable,
  onDisable,
  onRegenerate,
}: {
  status: TwoFactorStatus;
  onEnable(): void;
  onDisable(): void;
  onRegenerate(): void;
}) {
  if (!status.enabled) {
    return (
      <div className="flex flex-col gap-4 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm">
          <span className="mr-2 inline-flex rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
            Off
          </span>
          {status.pending
            ? "A setup was started and not finished. Set it up again to get a new QR code."
            : "Only the password protects this admin."}
        </p>
        <Button variant="primary" onClick={onEnable}>
          Set up two-factor sign-in
        </Button>
      </div>
    );
  }
  const left = status.recoveryCodesLeft;
  return (
    <div className="space-y-4">
      <p className="text-sm">
        <span className="mr-2 inline-flex rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-200">
          On
        </span>
        Since {status.enabledAt ? formatDateTime(status.enabledAt) : "—"}.{" "}
        <span className={left <= 2 ? "font-medium text-amber-800 dark:text-amber-300" : ""}>
          {left === 0 ? "No recovery codes left: make new ones." : `${left} recovery code${left === 1 ? "" : "s"} left.`}
        </span>
      </p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <Button onClick={onRegenerate}>Make new recovery codes</Button>
        <Button variant="ghostDanger" onClick={onDisable}>
          Turn off two-factor sign-in
        </Button>
      </div>
    </div>
  );
}
