// Starts the production server exactly as `npm start` does (with the flags of
// scripts/node-flags.mjs, tsx among them), under a command line of its own:
// on a shared machine, other people's `pkill -f scripts/server.mts` then
// cannot stop a benchmark halfway.
await import("../scripts/server.mts");
