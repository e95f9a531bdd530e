import { describe, expect, it } from "vitest";
import { frontDoorImport } from "./front-door";
import { nextNodeFlags } from "./next-node-flags";

describe("the Node flags of the process that runs Next", () => {
  it("always load the front door, and leave the heap to V8 unless HEAP_GROWING_PERCENT is set", () => {
    expect(nextNodeFlags(0)).toEqual([frontDoorImport]);
    expect(nextNodeFlags(50)).toEqual([frontDoorImport, "--heap-growing-percent=50"]);
  });
});
