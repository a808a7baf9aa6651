export * from "./admin-users";
export * from "./api-tokens";
export * from "./rate-limits";
export * from "./sessions";
