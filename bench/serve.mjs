// Starts the production server exactly as `npm start` does (the compiled
// scripts/server.mts, with the flags of scripts/node-flags.mjs), under a
// command line of its own: on a shared machine, other people's
// `pkill -f xui-server` then cannot stop a benchmark halfway.
await import("../.next/xui-server.mjs");
