"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { callApi } from "@/lib/client/fetch";
import { useSession } from "@/components/session-provider";

const BASE = "/panel/api/setting/twoFactor";

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: number | null;
  pending: boolean;
  recoveryCodesLeft: number;
}
export interface TwoFactorSetup {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}
export interface RecoveryCodes {
  recoveryCodes: string[];
}

export const twoFactorKeys = { status: ["twoFactor", "status"] as const };

export function useTwoFactorStatus() {
  return useQuery({ queryKey: twoFactorKeys.status, queryFn: ({ signal }) => callApi<TwoFactorStatus>(BASE, { signal }) });
}

/** A POST of this section; secrets in the answer are not cached (gcTime 0), and the status is refreshed afterwards. */
function useTwoFactorPost<Vars, Result>(path: string) {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (vars: Vars) => callApi<Result>(`${BASE}${path}`, { method: "POST", body: vars ?? {}, csrfToken }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: twoFactorKeys.status }),
    gcTime: 0,
  });
}

export const useStartTwoFactorSetup = () => useTwoFactorPost<void, TwoFactorSetup>("/setup");
export const useEnableTwoFactor = () => useTwoFactorPost<{ code: string }, RecoveryCodes>("/enable");
export const useDisableTwoFactor = () => useTwoFactorPost<{ code: string }, null>("/disable");
export const useRegenerateRecoveryCodes = () => useTwoFactorPost<{ code: string }, RecoveryCodes>("/recoveryCodes");

/** The server's refusal of a code, as a sentence for the person typing it. */
export function codeProblem(error: Error | null): string | undefined {
  if (!error) return undefined;
  const message = error.message;
  if (/^that code is not right/.test(message)) {
    return "That code is not right. Enter the code your authenticator app shows now (or an unused recovery code), and check the phone's clock.";
  }
  if (/^code is required/.test(message)) return "Enter the code.";
  if (/^no setup is waiting/.test(message)) return "This setup has expired. Close this window and start again.";
  if (/^two-factor sign-in is already on/.test(message)) return "Two-factor sign-in is already on.";
  if (/^two-factor sign-in is not on/.test(message)) return "Two-factor sign-in is already off.";
  if (/^confirm it's you/.test(message)) return "Confirm it's you first: sign in again, then try once more.";
  return /[.!?]$/.test(message) ? message : `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}
