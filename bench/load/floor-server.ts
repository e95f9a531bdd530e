/**
 * The floor baseline of `npm run load`: a bare Node HTTP server that streams the offline model's
 * answer to "hello", token by token at the model's pace, as server-sent events. No framework, no
 * database, no graph: what streaming these words costs at the very least.
 */
import { HumanMessage } from "@langchain/core/messages";
import http from "node:http";
import { offlinePlanner } from "../../server/agent/offline-model";
import { sseEvent, sseHeaders } from "./sse";

const port = Number(process.env.PORT);
const tokenMs = Number(process.env.TOKEN_MS);
// The same words Threadline streams, cut into tokens as the scripted model cuts them.
const tokens = (await offlinePlanner([new HumanMessage("hello")], [])).text?.match(/\s*\S+/g) ?? [];

http
  .createServer((req, res) => {
    if (req.method !== "POST") return res.writeHead(200).end("ready");
    req.resume().on("end", () => {
      res.writeHead(200, sseHeaders).flushHeaders();
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        if (i === tokens.length) return res.end(sseEvent({ end: "ok" }));
        res.write(sseEvent({ t: tokens[i++]! }));
        setTimeout(next, tokenMs);
      };
      setTimeout(next, tokenMs);
    });
  })
  .listen(port, "127.0.0.1");
