// Stands in for the `server-only` package under Vitest (vitest.config.mts): the
// real one throws outside a "react-server" build, and tests are server code.
export {};
