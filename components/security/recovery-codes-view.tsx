"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";

/**
 * Recovery codes, shown once: copy them, download them as a text file, then
 * say they are saved to close. Nothing here keeps them after the dialog closes.
 */
export function RecoveryCodesView({ codes, onDone }: { codes: string[]; onDone(): void }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const text = `xui-panel recovery codes (${window.location.host})\nEach code works once, in place of a 6-digit code.\n\n${codes.join("\n")}\n`;

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      setCopied("copied");
    } catch {
      setCopied("failed");
    }
  }

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "xui-panel-recovery-codes.txt";
    link.click();
    URL.revokeObjectURL(url);
  }

  return (
    <div className="space-y-4">
      <div className="flex gap-3 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2.5 text-sm text-amber-900 dark:border-amber-700/60 dark:bg-amber-950/40 dark:text-amber-200">
        <span aria-hidden="true">⚠</span>
        <p>
          <strong className="font-semibold">These codes are shown only now.</strong> Keep them somewhere safe, away from your
          phone. If you lose your phone, each code signs you in once instead of a 6-digit code.
        </p>
      </div>
      <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-2 rounded-lg bg-zinc-50 p-3 font-mono text-sm dark:bg-zinc-950">
        {codes.map((code) => (
          <li key={code} className="select-all">
            {code}
          </li>
        ))}
      </ul>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <Button onClick={copy}>Copy codes</Button>
        <Button onClick={download}>Download as .txt</Button>
        <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
          {copied === "copied" ? "Copied." : copied === "failed" ? "Copying is not allowed here: select the codes or download them." : ""}
        </p>
      </div>
      <div className="flex justify-end">
        <Button variant="primary" onClick={onDone}>
          I saved them
        </Button>
      </div>
    </div>
  );
}
