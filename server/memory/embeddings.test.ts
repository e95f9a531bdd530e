import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeEmbeddings } from "@/scripts/testing/embeddings-server";
import { parseConfig } from "@/server/config";
import { captureLogs } from "@/server/observability/log";
import { chooseEmbedder, openAIEmbeddings } from "./embeddings";

let server: Awaited<ReturnType<typeof startFakeEmbeddings>>;
beforeAll(async () => {
  server = await startFakeEmbeddings();
});
afterAll(() => server.close());

describe("embeddings providers", () => {
  it("is off unless EMBEDDINGS_PROVIDER is set: full text alone is the default", () => {
    expect(chooseEmbedder(parseConfig({ OPENAI_API_KEY: "sk-test" }))).toBeNull();
  });

  it("calls an OpenAI-compatible /embeddings with the key, and keeps the vectors in the texts' order", async () => {
    const embedder = chooseEmbedder(
      parseConfig({
        EMBEDDINGS_PROVIDER: "openai-compatible",
        EMBEDDINGS_MODEL: "bge-small",
        EMBEDDINGS_BASE_URL: `${server.origin}/v1/`,
        OPENAI_API_KEY: "sk-test",
      }),
    )!;
    expect(embedder.model).toBe("bge-small");
    expect(await embedder.embedMemory("banana")).toEqual({ embedding: [6, 3, 1], embeddingModel: "bge-small" });
    expect(await embedder.embedQuery("a cat")).toEqual([5, 2, 1]);
    expect(server.requests.slice(-2)).toEqual([
      { path: "/v1/embeddings", authorization: "Bearer sk-test", body: { model: "bge-small", input: ["banana"] } },
      { path: "/v1/embeddings", authorization: "Bearer sk-test", body: { model: "bge-small", input: ["a cat"] } },
    ]);
    // The same message again (the model node runs once more after each tool round) is not embedded twice.
    const before = server.requests.length;
    expect(await embedder.embedQuery("a cat")).toEqual([5, 2, 1]);
    expect(server.requests.length).toBe(before);
  });

  it("puts OpenAI's vectors back in the order of the texts, which its answer need not keep", async () => {
    const embed = openAIEmbeddings(`${server.origin}/v1`, "m");
    expect(await embed(["a", "bb", "aaa"])).toEqual([
      [1, 1, 1],
      [2, 0, 1],
      [3, 3, 1],
    ]);
  });

  it("falls back to OPENAI_BASE_URL for an OpenAI-compatible server, and uses OpenAI's model by default for openai", () => {
    const compatible = parseConfig({ EMBEDDINGS_PROVIDER: "openai-compatible", EMBEDDINGS_MODEL: "m", OPENAI_BASE_URL: `${server.origin}/v1` });
    expect(chooseEmbedder(compatible)?.model).toBe("m");
    expect(chooseEmbedder(parseConfig({ EMBEDDINGS_PROVIDER: "openai", OPENAI_API_KEY: "sk" }))?.model).toBe("text-embedding-3-small");
  });

  it("calls Ollama's /api/embed, on OLLAMA_BASE_URL when no embeddings URL is given", async () => {
    const embedder = chooseEmbedder(parseConfig({ EMBEDDINGS_PROVIDER: "ollama", OLLAMA_BASE_URL: server.origin }))!;
    expect(embedder.model).toBe("nomic-embed-text");
    expect(await embedder.embedMemory("aaa")).toEqual({ embedding: [3, 3, 1], embeddingModel: "nomic-embed-text" });
    expect(server.requests.at(-1)).toEqual({ path: "/api/embed", authorization: undefined, body: { model: "nomic-embed-text", input: ["aaa"] } });
  });

  it("never fails a save or a recall when the provider fails: no vector, a warning in the log", async () => {
    const embedder = chooseEmbedder(parseConfig({ EMBEDDINGS_PROVIDER: "ollama", EMBEDDINGS_BASE_URL: server.origin }))!;
    server.state.status = 503;
    const logs = captureLogs();
    try {
      expect(await embedder.embedMemory("anything")).toEqual({ embedding: null, embeddingModel: null });
      expect(await embedder.embedQuery("something new")).toBeNull();
    } finally {
      logs.stop();
      server.state.status = 200;
    }
    expect(logs.lines.map((l) => l.msg)).toEqual([
      "could not embed a memory; it is found by full text only",
      "could not embed the message; recalling by full text only",
    ]);
  });
});
