import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs script (no type declarations); its one function is checked here
import { serverNodeFlags } from "../../scripts/node-flags.mjs";
import { SERVER_NODE_FLAGS } from "../support/server";

describe("the server's Node flags", () => {
  it("tests start the server as npm start does", () => {
    expect(serverNodeFlags({})).toEqual(SERVER_NODE_FLAGS);
  });
  it("an operator's own heap limit in NODE_OPTIONS wins", () => {
    expect(serverNodeFlags({ NODE_OPTIONS: "--max-old-space-size=1024" })).toEqual([]);
    expect(serverNodeFlags({ NODE_OPTIONS: "--enable-source-maps" })).toEqual(["--max-old-space-size=256"]);
  });
});
