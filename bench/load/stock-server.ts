/**
 * The stock baseline of `npm run load`: the textbook way to serve this graph in TypeScript. An
 * HTTP handler calls `graph.stream(…, { streamMode: "messages" })` on the same graph and model as
 * Threadline, checkpointed by LangGraph's stock PostgresSaver, and writes each token as an SSE
 * event. It has no sign-in, no durable event log, no fan-out to other viewers or instances, no
 * takeover: the guarantees Threadline pays for, left out.
 */
import { AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import http from "node:http";
import pg from "pg";
import { buildAgentGraph } from "../../server/agent/graph";
import { createOfflineModel } from "../../server/agent/offline-model";
import { basicTools } from "../../server/agent/tools";
import { sseEvent, sseHeaders } from "./sse";

const port = Number(process.env.PORT);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const checkpointer = new PostgresSaver(pool);
await checkpointer.setup();
const graph = buildAgentGraph({ model: createOfflineModel(Number(process.env.TOKEN_MS)), tools: basicTools, checkpointer });

async function answer(body: { threadId: string; text: string }, res: http.ServerResponse) {
  res.writeHead(200, sseHeaders).flushHeaders();
  try {
    const stream = await graph.stream({ messages: [new HumanMessage(body.text)] }, { configurable: { thread_id: body.threadId }, streamMode: "messages" });
    for await (const [chunk] of stream) {
      if (AIMessageChunk.isInstance(chunk) && typeof chunk.content === "string" && chunk.content) res.write(sseEvent({ t: chunk.content }));
    }
    res.end(sseEvent({ end: "ok" }));
  } catch (err) {
    res.end(sseEvent({ end: err instanceof Error ? err.message : String(err) }));
  }
}

http
  .createServer((req, res) => {
    if (req.method !== "POST") return res.writeHead(200).end("ready");
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d)).on("end", () => void answer(JSON.parse(raw) as { threadId: string; text: string }, res));
  })
  .listen(port, "127.0.0.1");
