// Starts the production server exactly as `npm start` does (scripts/start.mjs
// imports scripts/server.mjs the same way), under a command line of its own:
// on a shared machine, other people's `pkill -f scripts/server.mjs` then
// cannot stop a benchmark halfway.
await import("../scripts/server.mjs");
