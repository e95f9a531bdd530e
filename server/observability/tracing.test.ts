import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { signedInCaller } from "@/scripts/testing/users";

const t = testDatabaseForFile();
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
afterAll(() => provider.shutdown());

describe("tracing", () => {
  it("has spans for the procedure, the run, each graph node, each model call and each tool call", async () => {
    const { caller } = await signedInCaller(t);
    const { runId } = await caller.chat.send({ text: "what is 6*7?" });
    await subscribeEvents(caller, runId);
    await expect.poll(() => exporter.getFinishedSpans().some((s) => s.name === "run")).toBe(true);

    const spans = exporter.getFinishedSpans();
    const names = spans.map((s) => s.name);
    for (const name of ["trpc chat.send", "run", "graph.node model", "graph.node review", "graph.node tools", "model.call", "tool calculator"])
      expect(names).toContain(name);
    expect(names.filter((n) => n === "model.call")).toHaveLength(2);

    // The run is a child of the request that started it, and the model calls belong to the run.
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: (typeof spans)[number]) => byId.get(s.parentSpanContext?.spanId ?? "");
    const run = spans.find((s) => s.name === "run")!;
    expect(parentOf(run)?.name).toBe("trpc chat.send");
    expect(run.attributes["threadline.run_id"]).toBe(runId);
    const ancestors = (s: (typeof spans)[number]) => {
      const names: string[] = [];
      for (let p = parentOf(s); p; p = parentOf(p)) names.push(p.name);
      return names;
    };
    // Each node runs in the run's span, and each call in the span of the node that made it.
    expect(names.filter((n) => n === "run")).toHaveLength(1);
    for (const node of spans.filter((s) => s.name.startsWith("graph.node "))) expect(ancestors(node), node.name).toEqual(["run", "trpc chat.send"]);
    for (const call of spans.filter((s) => s.name === "model.call")) expect(ancestors(call)).toEqual(["graph.node model", "run", "trpc chat.send"]);
    expect(ancestors(spans.find((s) => s.name === "tool calculator")!)).toEqual(["graph.node tools", "run", "trpc chat.send"]);
    const call = spans.find((s) => s.name === "model.call")!;
    expect(call.attributes).toMatchObject({ "gen_ai.system": "offline", "gen_ai.usage.output_tokens": expect.any(Number) });
  });
});
