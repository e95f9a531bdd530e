import http from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer of the fake server. */
export type FakeReply =
  | { text: string }
  | { toolCalls: { name: string; args: Record<string, unknown> }[] }
  | { status: number }
  /** Accept the request and never finish the answer. */
  | { stall: true };

export interface ChatRequest {
  model: string;
  stream?: boolean;
  messages: { role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
}

/**
 * A local OpenAI-compatible chat-completions server for tests. It streams chunks the way OpenAI does
 * (text split across chunks, tool-call arguments split across chunks, usage in a last chunk), and it
 * can answer 429/500 or stall. `reply` picks the answer for each request.
 */
export async function startFakeOpenAI(reply: (req: ChatRequest, n: number) => FakeReply) {
  const requests: ChatRequest[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    let body = "";
    for await (const chunk of req) body += chunk;
    const request = JSON.parse(body) as ChatRequest;
    requests.push(request);
    const answer = reply(request, requests.length);
    if ("status" in answer) {
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `fake error ${answer.status}`, type: "server_error" } }));
      return;
    }
    open.add(res);
    res.on("close", () => open.delete(res));
    const id = `chatcmpl-${requests.length}`;
    const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (delta: object, finish: string | null = null, usage?: object) =>
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model: request.model, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage && { usage }) })}\n\n`,
      );
    if ("stall" in answer) {
      send({ role: "assistant", content: "" });
      return; // never ends: the client's timeout must deal with it
    }
    send({ role: "assistant", content: "" });
    if ("text" in answer) {
      for (const token of answer.text.match(/\s*\S+/g) ?? []) send({ content: token });
      send({}, "stop");
    } else {
      answer.toolCalls.forEach((call, index) => {
        const args = JSON.stringify(call.args);
        const half = Math.ceil(args.length / 2);
        send({
          tool_calls: [{ index, id: `call_${requests.length}_${index}`, type: "function", function: { name: call.name, arguments: args.slice(0, half) } }],
        });
        send({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] });
      });
      send({}, "tool_calls");
    }
    send({}, null, usage);
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    async close() {
      for (const res of open) res.destroy();
      // The SDK keeps connections alive; without this, close() would wait for them.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
