"use client";

import { useState } from "react";
import { PASSKEY_NAME_MAX_CHARS } from "@/lib/passkeys/passkey-name";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useToast } from "@/components/ui/toast";
import { useAddPasskey } from "./passkey-api";

/** Name → the browser's passkey prompt → listed. One ceremony however often "Continue" is clicked. */
export function useAddPasskeyDialog(onClose: () => void) {
  const add = useAddPasskey();
  const toast = useToast();
  const once = useSingleFlight();
  const [nameError, setNameError] = useState<string | undefined>();
  return {
    pending: add.isPending,
    error: add.error,
    nameError,
    clearNameError: () => setNameError(undefined),
    submit(rawName: string) {
      const name = rawName.trim();
      if (!name) return setNameError("Give the passkey a name, e.g. the device it is on.");
      if ([...name].length > PASSKEY_NAME_MAX_CHARS) return setNameError(`Use ${PASSKEY_NAME_MAX_CHARS} characters or fewer.`);
      setNameError(undefined);
      void once(async () => {
        await add.mutateAsync(name);
        add.reset();
        onClose();
        toast.success(`Passkey “${name}” added. You can now sign in with it.`);
      });
    },
    cancel() {
      if (add.isPending) return;
      add.reset();
      setNameError(undefined);
      onClose();
    },
  };
}
