import http from "node:http";
import type { AddressInfo } from "node:net";

export interface EmbeddingsRequest {
  path: string;
  authorization: string | undefined;
  body: { model: string; input: string[] };
}

/**
 * A local embeddings server for tests, in both shapes: OpenAI's `POST /v1/embeddings` (its answer
 * listed out of order, as the API allows, so the client must sort by index) and Ollama's
 * `POST /api/embed`. Each text's vector is [its length, its count of "a", 1]. `status` makes every
 * answer fail with it.
 */
export async function startFakeEmbeddings() {
  const requests: EmbeddingsRequest[] = [];
  const state = { status: 200 };
  const server = http.createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || "{}") as EmbeddingsRequest["body"];
    requests.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
    const vector = (text: string) => [text.length, (text.match(/a/g) ?? []).length, 1];
    const reply = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (state.status !== 200) return reply(state.status, { error: { message: "fake failure" } });
    if (req.method === "POST" && req.url === "/v1/embeddings")
      return reply(200, { object: "list", data: body.input.map((text, index) => ({ object: "embedding", index, embedding: vector(text) })).reverse() });
    if (req.method === "POST" && req.url === "/api/embed") return reply(200, { model: body.model, embeddings: body.input.map(vector) });
    reply(404, { error: "not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    state,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
