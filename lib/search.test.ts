import { describe, expect, it } from "vitest";
import { MARK_END as E, MARK_START as S, markedSegments } from "./search";

describe("markedSegments", () => {
  it("splits a headline into plain and marked text", () => {
    expect(markedSegments(`one ${S}quokka${E} and ${S}two${E} ${S}more${E}`)).toEqual([
      { text: "one ", marked: false },
      { text: "quokka", marked: true },
      { text: " and ", marked: false },
      { text: "two", marked: true },
      { text: " ", marked: false },
      { text: "more", marked: true },
    ]);
    expect(markedSegments("no marks")).toEqual([{ text: "no marks", marked: false }]);
    expect(markedSegments("")).toEqual([]);
  });

  it("keeps markup as text and drops marks that do not pair up", () => {
    expect(markedSegments(`<b>${S}x${E}</b>${E} tail ${S}open`)).toEqual([
      { text: "<b>", marked: false },
      { text: "x", marked: true },
      { text: "</b> tail open", marked: false },
    ]);
  });
});
