import { createHash } from "node:crypto";
import { Embedder } from "../../server/memory/embeddings";

/** Words the fake embedder takes for one another, as a real model would place them close. */
const SAME = new Map([
  ["automobile", "car"],
  ["vehicle", "car"],
  ["colour", "color"],
  ["hue", "color"],
]);

/**
 * A deterministic stand-in for an embeddings model: each word (synonyms above folded together,
 * plurals to singulars) adds one to a dimension chosen by its hash. Texts sharing words, or
 * synonyms, point the same way; `calls` counts the texts it was asked to embed.
 */
export function fakeEmbedder(dimensions = 64, model = "fake-embedder") {
  const stats = { calls: 0, fail: false };
  const embedder = new Embedder(model, async (texts) => {
    stats.calls += texts.length;
    if (stats.fail) throw new Error("the fake embedder is down");
    return texts.map((text) => {
      const v = new Array<number>(dimensions).fill(0);
      for (const raw of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
        const word = SAME.get(raw) ?? (raw.length > 3 ? raw.replace(/s$/, "") : raw);
        v[createHash("sha1").update(word).digest().readUInt32BE(0) % dimensions]! += 1;
      }
      return v;
    });
  });
  return { embedder, stats };
}
