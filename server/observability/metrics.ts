import client from "prom-client";

/**
 * The process's Prometheus metrics (served by GET /api/metrics). One registry per process, kept on
 * globalThis so dev reloads and the several bundles Next makes share it. Each instance reports its
 * own figures; Prometheus scrapes every instance.
 */
function create() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "threadline_" });
  const r = { registers: [registry] };
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
  return {
    registry,
    runsStarted: new client.Counter({
      ...r,
      name: "threadline_runs_started_total",
      help: "Runs started (new messages, edits, regenerations, Continue, resumed approvals, takeovers)",
    }),
    runsEnded: new client.Counter({ ...r, name: "threadline_runs_total", help: "Runs ended, by outcome", labelNames: ["outcome"] as const }),
    activeRuns: new client.Gauge({ ...r, name: "threadline_active_runs", help: "Runs executing on this instance" }),
    openStreams: new client.Gauge({ ...r, name: "threadline_event_streams_open", help: "Open chat.events streams on this instance" }),
    modelCall: new client.Histogram({
      ...r,
      name: "threadline_model_call_seconds",
      help: "Model call duration",
      labelNames: ["provider", "model", "outcome"] as const,
      buckets: seconds,
    }),
    firstToken: new client.Histogram({
      ...r,
      name: "threadline_model_first_token_seconds",
      help: "Time from the start of a model call to its first streamed token",
      labelNames: ["provider", "model"] as const,
      buckets: seconds,
    }),
    tokens: new client.Counter({
      ...r,
      name: "threadline_model_tokens_total",
      help: "Tokens in and out, as providers report them",
      labelNames: ["provider", "model", "direction"] as const,
    }),
    nodeDuration: new client.Histogram({
      ...r,
      name: "threadline_graph_node_seconds",
      help: "LangGraph node duration",
      labelNames: ["node"] as const,
      buckets: seconds,
    }),
    nodeFailures: new client.Counter({
      ...r,
      name: "threadline_graph_node_failures_total",
      help: "LangGraph node failures (not counting pauses for approval)",
      labelNames: ["node"] as const,
    }),
    toolCalls: new client.Counter({
      ...r,
      name: "threadline_tool_calls_total",
      help: "Tool calls, by tool and outcome",
      labelNames: ["tool", "outcome"] as const,
    }),
    dbQuery: new client.Histogram({
      ...r,
      name: "threadline_db_query_seconds",
      help: "Database statement duration",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    }),
    checkpointWrite: new client.Histogram({
      ...r,
      name: "threadline_checkpoint_write_seconds",
      help: "Checkpoint write latency (put and putWrites)",
      labelNames: ["op"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    }),
    databaseReachable: new client.Gauge({ ...r, name: "threadline_database_reachable", help: "1 while this instance reaches Postgres, 0 during an outage" }),
    databaseOutages: new client.Counter({
      ...r,
      name: "threadline_database_outages_total",
      help: "Database outages this instance lived through (counted when each ends)",
    }),
    eventWriteAttempts: new client.Counter({
      ...r,
      name: "threadline_event_write_attempts_total",
      help: "Statements the run-event writer tried, by result (failed ones are retried with capped backoff)",
      labelNames: ["result"] as const,
    }),
    rateLimited: new client.Counter({ ...r, name: "threadline_rate_limited_total", help: "Requests refused by a rate limit", labelNames: ["limit"] as const }),
    passwordHashesRunning: new client.Gauge({ ...r, name: "threadline_password_hashes_running", help: "bcrypt hashes and compares running on this instance" }),
    passwordHashesPeak: new client.Gauge({
      ...r,
      name: "threadline_password_hashes_running_max",
      help: "Most bcrypt hashes and compares that ran at once on this instance since it started",
    }),
    feedbackGiven: new client.Counter({
      ...r,
      name: "threadline_feedback_total",
      help: "Good and bad answer ratings given, by the agent and configured model that wrote the answer (a changed choice counts its new rating)",
      labelNames: ["agent", "model", "rating"] as const,
    }),
    feedbackWithdrawn: new client.Counter({
      ...r,
      name: "threadline_feedback_withdrawn_total",
      help: "Ratings replaced by another or taken back; given minus withdrawn is the ratings that stand",
      labelNames: ["agent", "model", "rating"] as const,
    }),
    passwordHashesRefused: new client.Counter({
      ...r,
      name: "threadline_password_hashes_refused_total",
      help: "Sign-ins and sign-ups refused as busy: every hash slot and the line were taken",
    }),
  };
}

export type Metrics = ReturnType<typeof create>;

const cache = globalThis as unknown as { __threadlineMetrics?: Metrics };
export const metrics = (): Metrics => (cache.__threadlineMetrics ??= create());

/** Times `fn` into a histogram, whether it succeeds or throws. */
export async function timed<T>(observe: (seconds: number) => void, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    observe((performance.now() - started) / 1000);
  }
}
