"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { PolicyViolation, TokenPolicy, UpdateTokenPolicyInput } from "@/lib/tokens/policy-rules";
import { callApi } from "@/lib/client/fetch";
import { useSession } from "@/components/session-provider";
import { tokenKeys } from "./token-api";

export type TokenPolicyStatus = TokenPolicy & { violatingTokens: number };

const BASE = "/panel/api/setting/tokenPolicy";

export const policyKeys = { status: ["tokenPolicy"] as const };

/** The token policy; the create and rotate forms and the Policies tab read it. */
export function useTokenPolicy() {
  return useQuery({ queryKey: policyKeys.status, queryFn: ({ signal }) => callApi<TokenPolicyStatus>(BASE, { signal }), staleTime: 30_000 });
}

/** Saves changed fields; the token list is refetched, since its policy flags may change. */
export function useSaveTokenPolicy() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: UpdateTokenPolicyInput) => callApi<TokenPolicyStatus>(`${BASE}/update`, { method: "POST", body: changes, csrfToken }),
    onSuccess: (status) => queryClient.setQueryData(policyKeys.status, status),
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: policyKeys.status }), queryClient.invalidateQueries({ queryKey: tokenKeys.lists() })]),
  });
}

/** What each flag on a token means, for a person. */
export const VIOLATION_TEXT: Record<PolicyViolation, string> = {
  neverExpires: "It never expires, but the token policy requires an expiry.",
  expiresTooLate: "It expires later than the token policy’s maximum lifetime allows.",
  adminWithoutAllowlist: "It has admin scope without an IP allowlist, which the token policy requires.",
};
