"use client";

import { useState } from "react";
import { PASSKEY_NAME_MAX_CHARS } from "@/lib/passkeys/passkey-name";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useToast } from "@/components/ui/toast";
import { useRenamePasskey, type PasskeyView } from "./passkey-api";

export function useRenamePasskeyDialog(passkey: PasskeyView | null, onClose: () => void) {
  const rename = useRenamePasskey();
  const toast = useToast();
  const once = useSingleFlight();
  const [nameError, setNameError] = useState<string | undefined>();
  return {
    pending: rename.isPending,
    error: rename.error,
    nameError,
    clearNameError: () => setNameError(undefined),
    submit(rawName: string) {
      if (!passkey) return;
      const name = rawName.trim();
      if (!name) return setNameError("Give the passkey a name.");
      if ([...name].length > PASSKEY_NAME_MAX_CHARS) return setNameError(`Use ${PASSKEY_NAME_MAX_CHARS} characters or fewer.`);
      setNameError(undefined);
      void once(async () => {
        await rename.mutateAsync({ id: passkey.id, name });
        rename.reset();
        onClose();
        toast.success(`Passkey renamed to “${name}”.`);
      });
    },
    cancel() {
      if (rename.isPending) return;
      rename.reset();
      setNameError(undefined);
      onClose();
    },
  };
}
