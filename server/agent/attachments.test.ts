import { HumanMessage } from "@langchain/core/messages";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { TINY_PNG } from "@/scripts/testing/attachments";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { type ChatRequest, startFakeOpenAI } from "@/scripts/testing/openai-server";
import { signedInCaller } from "@/scripts/testing/users";
import { attachmentContents, saveAttachment } from "@/server/attachments/store";
import { parseConfig } from "@/server/config";
import { type AttachmentOptions, MISSING, NO_VISION, withAttachments } from "./attachments";
import { chooseModel, modelFor, visionOf } from "./model";

const t = testDatabaseForFile();
const DATA_URL = `data:image/png;base64,${TINY_PNG.toString("base64")}`;

/** A user with an image and a text file stored, and the message that carries them, by reference. */
async function carrying() {
  const { user, caller } = await signedInCaller(t);
  const image = await saveAttachment(t.db, user.id, { name: "chart.png", bytes: TINY_PNG });
  const notes = await saveAttachment(t.db, user.id, { name: "notes.md", bytes: new TextEncoder().encode("# Agenda\nbudget") });
  const message = new HumanMessage({ id: "m1", content: "what is in these?", additional_kwargs: { attachments: [image, notes] } });
  const options = (vision: boolean): AttachmentOptions => ({ load: (userId, ids) => attachmentContents(t.db, userId, ids), vision });
  return { user, caller, image, notes, message, options };
}

/** A local HTTP server that records each request body and answers with `reply`. */
async function capturing(reply: (path: string) => { type: string; body: string }) {
  const bodies: { path: string; body: Record<string, unknown> }[] = [];
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    bodies.push({ path: req.url ?? "", body: JSON.parse(body) as Record<string, unknown> });
    const answer = reply(req.url ?? "");
    res.writeHead(200, { "content-type": answer.type }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, bodies, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe("a message's files in a model call", () => {
  it("reach an OpenAI-compatible server as an image_url part with a data URL, and a document as text", async () => {
    const server = await startFakeOpenAI(() => ({ text: "A chart and an agenda." }));
    try {
      const choice = chooseModel(parseConfig({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "sk-test", LLM_MODEL: "fake-model" }));
      const agent = testAgent(t.pool, await choice.create(), { provider: "openai", vision: visionOf(choice.provider, choice.model, "auto") });
      const { user, caller } = await signedInCaller(t, agent);
      const image = await saveAttachment(t.db, user.id, { name: "chart.png", bytes: TINY_PNG });
      const notes = await saveAttachment(t.db, user.id, { name: "notes.md", bytes: new TextEncoder().encode("# Agenda\nbudget") });
      await succeeded(caller, caller.chat.send({ text: "what is in these?", attachments: [image.id, notes.id] }));
      // The answer's call, not the title's (which is asked about the text alone).
      const asked = server.requests.find((r: ChatRequest) => !JSON.stringify(r.messages[0]?.content).includes("Write a title"))!;
      expect(asked.messages.at(-1)).toEqual({
        role: "user",
        content: [
          { type: "text", text: "what is in these?" },
          { type: "text", text: `Attached file: “chart.png” (PNG image, ${TINY_PNG.length} B)` },
          { type: "image_url", image_url: { url: DATA_URL } },
          { type: "text", text: "Attached file: “notes.md” (Markdown, 15 B)\n<document>\n# Agenda\nbudget\n</document>" },
        ],
      });
    } finally {
      await server.close();
    }
  });

  it("reach Anthropic as a base64 image source", async () => {
    const { user, message, options } = await carrying();
    const server = await capturing(() => ({
      type: "application/json",
      body: JSON.stringify({
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-test",
        content: [{ type: "text", text: "ok" }],
        stop_reason: "end_turn",
        usage: { input_tokens: 1, output_tokens: 1 },
      }),
    }));
    try {
      const model = await modelFor({ provider: "anthropic", model: "claude-test", apiKey: "sk-ant-test", baseUrl: server.url }).create();
      await model.invoke(await withAttachments([message], options(true), user.id, 8_000));
      const sent = server.bodies.find((b) => b.path.endsWith("/messages"))!.body as { messages: { role: string; content: unknown[] }[] };
      expect(sent.messages[0]!.content).toContainEqual({
        type: "image",
        source: { type: "base64", media_type: "image/png", data: TINY_PNG.toString("base64") },
      });
      expect(JSON.stringify(sent.messages[0]!.content)).toContain("# Agenda\\nbudget");
    } finally {
      await server.close();
    }
  });

  it("reach Ollama as the message's images", async () => {
    const { user, message, options } = await carrying();
    const server = await capturing(() => ({
      type: "application/x-ndjson",
      body: `${JSON.stringify({ model: "llava", created_at: new Date().toISOString(), message: { role: "assistant", content: "ok" }, done: true, done_reason: "stop" })}\n`,
    }));
    try {
      const model = await modelFor({ provider: "ollama", model: "llava", baseUrl: server.url }).create();
      await model.invoke(await withAttachments([message], options(true), user.id, 8_000));
      const sent = server.bodies.find((b) => b.path === "/api/chat")!.body as { messages: { role: string; content: string; images?: string[] }[] };
      const user_ = sent.messages.filter((m) => m.role === "user");
      expect(user_.flatMap((m) => m.images ?? [])).toEqual([TINY_PNG.toString("base64")]);
      expect(user_.map((m) => m.content).join("\n")).toContain("# Agenda\nbudget");
    } finally {
      await server.close();
    }
  });

  it("gives a model without vision a note instead of the image", async () => {
    const { user, message, options } = await carrying();
    const [resolved] = await withAttachments([message], options(false), user.id, 8_000);
    const content = JSON.stringify(resolved!.content);
    expect(content).not.toContain("image_url");
    expect(content).toContain(NO_VISION);
    expect(content).toContain("# Agenda");
    expect(visionOf("offline", "offline-demo", "on")).toBe(false);
    expect([visionOf("ollama", "llama3.1", "auto"), visionOf("ollama", "llava:13b", "auto"), visionOf("openai", "gpt-4o-mini", "off")]).toEqual([
      false,
      true,
      false,
    ]);
  });

  it("cuts a document to its share of the budget, with a note; another user's file never loads", async () => {
    const { user } = await signedInCaller(t);
    const long = await saveAttachment(t.db, user.id, { name: "long.txt", bytes: new TextEncoder().encode("word ".repeat(10_000)) });
    const message = new HumanMessage({ id: "m2", content: "summarise", additional_kwargs: { attachments: [long] } });
    const load = (userId: string, ids: string[]) => attachmentContents(t.db, userId, ids);
    const [cut] = await withAttachments([message], { load, vision: true }, user.id, 1_000);
    const text = JSON.stringify(cut!.content);
    // Half of 1,000 tokens, at four characters a token.
    expect(text).toContain("[Truncated: only the first 2,000 of 50,000 characters fit in the context.]");
    expect(text.length).toBeLessThan(3_000);
    const { user: other } = await signedInCaller(t);
    const [foreign] = await withAttachments([message], { load, vision: true }, other.id, 1_000);
    expect(JSON.stringify(foreign!.content)).toContain(MISSING);
    expect(JSON.stringify(foreign!.content)).not.toContain("word word");
  });
});
