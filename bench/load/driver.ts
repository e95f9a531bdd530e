import fs from "node:fs";
import type { SseHandlers } from "./sse";

/** A server under load: Threadline itself, or one of the baselines it is measured against. */
export interface Target {
  name: string;
  /** The server processes, whose CPU time and peak memory are read from /proc. */
  pids: number[];
  /** One simulated user's conversation. */
  open(user: number): Promise<Conversation>;
  /** Graceful: SIGTERM and wait for the exit (a profiled server writes its profile then). */
  stop(graceful?: boolean): Promise<void>;
}

export interface Conversation {
  /** Sends a message and resolves when its answer has ended. */
  ask(text: string, on: SseHandlers): Promise<{ ok: boolean; error?: string }>;
}

export interface LoadPlan {
  users: number;
  rampS: number;
  durationS: number;
  /** The model's own pace: the time to first token it would have with no server in between. */
  tokenMs: number;
}

export interface LoadResult {
  target: string;
  users: number;
  answers: number;
  answersPerSecond: number;
  /** Server CPU time ÷ answers finished in the measured window: the figure that holds across machines. */
  cpuMsPerAnswer: number;
  serverCpuCores: number;
  ttftMs: { p50: number; p95: number; p99: number };
  acceptedMs: { p50: number; p99: number };
  addedInterTokenDelayP99Ms: number;
  errors: number;
  firstErrors: string[];
  peakMemoryMb: number;
  /** Resident memory of the largest server, sampled every 5 s from the start: the soak's growth check. */
  rssSamplesMb: { atS: number; mb: number }[];
  meetsTarget: boolean;
}

export const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** CPU ticks used, and resident memory now and at its peak (the largest of the servers), from /proc. */
export function processStats(pids: number[]) {
  let ticks = 0;
  let peakKb = 0;
  let rssKb = 0;
  for (const pid of pids) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    ticks += Number(stat[11]) + Number(stat[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    rssKb = Math.max(rssKb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
  }
  return { ticks, peakMb: peakKb / 1024, rssMb: rssKb / 1024 };
}

/**
 * The same load for every target: users join evenly over the ramp, then each sends "hello" and
 * follows the answer to its end, back to back. The figures are those of the `durationS` after the
 * ramp, when all of them are chatting; errors count from the start.
 */
export async function runLoad(target: Target, plan: LoadPlan): Promise<LoadResult> {
  const { users, rampS, durationS, tokenMs } = plan;
  // Ten at a time: signing in is not what is measured.
  const conversations: Conversation[] = [];
  for (let u = 0; u < users; u += 10) conversations.push(...(await Promise.all(Array.from({ length: Math.min(10, users - u) }, (_, j) => target.open(u + j)))));
  const ttft: number[] = [];
  const accepted: number[] = [];
  const gaps: number[] = [];
  const errors: string[] = [];
  let answers = 0;
  const rampEnd = performance.now() + rampS * 1000;
  const deadline = rampEnd + durationS * 1000;
  let before = processStats(target.pids);
  let after: ReturnType<typeof processStats> | null = null;
  const started = performance.now();
  const rssSamplesMb: LoadResult["rssSamplesMb"] = [];
  const sampler = setInterval(() => rssSamplesMb.push({ atS: (performance.now() - started) / 1000, mb: processStats(target.pids).rssMb }), 5_000);
  const windows = [
    setTimeout(() => (before = processStats(target.pids)), rampS * 1000),
    setTimeout(() => (after = processStats(target.pids)), (rampS + durationS) * 1000),
  ];
  await Promise.all(
    conversations.map(async (conversation, u) => {
      await new Promise((r) => setTimeout(r, (u / users) * rampS * 1000));
      while (performance.now() < deadline) {
        const sent = performance.now();
        const measured = sent >= rampEnd;
        let last: number | null = null;
        const outcome = await conversation
          .ask("hello", {
            onAccepted: () => measured && accepted.push(performance.now() - sent),
            onWords: () => {
              const now = performance.now();
              if (measured) (last === null ? ttft : gaps).push(now - (last ?? sent));
              last = now;
            },
          })
          .catch((err: Error) => ({ ok: false, error: err.message }));
        const ended = performance.now();
        if (!outcome.ok) errors.push(outcome.error ?? "failed");
        // Answers finished within the measured window, where the CPU time is measured too.
        else if (ended >= rampEnd && ended <= deadline) answers++;
        // A server that refuses is not asked again in a hot loop.
        if (!outcome.ok) await new Promise((r) => setTimeout(r, 100));
      }
    }),
  );
  for (const timer of windows) clearTimeout(timer);
  clearInterval(sampler);
  after ??= processStats(target.pids);
  const cpuSeconds = (after.ticks - before.ticks) / 100; // CLK_TCK is 100 on Linux
  const p99 = percentile(ttft, 99);
  return {
    target: target.name,
    users,
    answers,
    answersPerSecond: answers / durationS,
    cpuMsPerAnswer: answers ? (cpuSeconds * 1000) / answers : Number.NaN,
    serverCpuCores: cpuSeconds / durationS,
    ttftMs: { p50: percentile(ttft, 50), p95: percentile(ttft, 95), p99 },
    acceptedMs: { p50: percentile(accepted, 50), p99: percentile(accepted, 99) },
    addedInterTokenDelayP99Ms: percentile(gaps, 99) - tokenMs,
    errors: errors.length,
    firstErrors: [...new Set(errors)].slice(0, 5),
    peakMemoryMb: after.peakMb,
    rssSamplesMb,
    meetsTarget: errors.length === 0 && p99 - tokenMs <= 250,
  };
}
