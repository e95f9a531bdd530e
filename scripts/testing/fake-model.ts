import { ScriptedChatModel, type Reply } from "../../server/agent/scripted-model";

/**
 * A model that plays back a script: each call takes the next step, a reply or an error to throw.
 * `calls` records how many times it was asked, so tests can count retries.
 */
export function scriptedModel(steps: (Reply | Error)[], tokenDelayMs = 0) {
  const queue = [...steps];
  const stats = { calls: 0 };
  const model = new ScriptedChatModel(
    () => {
      stats.calls++;
      const step = queue.shift();
      if (!step) throw new Error("the script has no more steps");
      if (step instanceof Error) throw step;
      return step;
    },
    { tokenDelayMs },
  );
  return { model, stats };
}

export function httpError(status: number, message = `HTTP ${status}`) {
  return Object.assign(new Error(message), { status });
}
