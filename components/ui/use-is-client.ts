import { useSyncExternalStore } from "react";

const subscribeNever = () => () => {};

/** False during server rendering and hydration, true once in the browser (e.g. before a portal to <body>). */
export function useIsClient(): boolean {
  return useSyncExternalStore(subscribeNever, () => true, () => false);
}
