export * from "./admin-users";
export * from "./api-tokens";
export * from "./audit-events";
export * from "./rate-limits";
export * from "./sessions";
export * from "./token-state";
export * from "./panel-info";
export * from "./write-sequence";
