import type { BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { type Checkpoint, type CheckpointMetadata, type ChannelVersions, type PendingWrite, WRITES_IDX_MAP } from "@langchain/langgraph-checkpoint";
import type pg from "pg";
import { prepared } from "@/db/statements";
import { BranchSafePostgresSaver } from "./branch-safe";
import { isMessageList, MessageMemory, type NewNode, type NewPayload, payloadKeys, planPath, scopeOf } from "./message-store";
import { metrics, timed } from "@/server/observability/metrics";
import { RecentLists } from "./recent-lists";
import { compactMessage, reviveMessage } from "./revive";
import { insertSearchRows, searchableThread, searchRowColumns, type SearchRow, searchRows } from "@/server/search/rows";

/** Blob types of our own, beside the serializer's ("json", "bytes", …) that the stock saver writes. */
const MESSAGE_PATH = "threadline/message-path"; // a channel value: `<leaf node>:<length>`
const MESSAGE_KEYS = "threadline/message-keys"; // a pending write: JSON list of payload keys

const encoder = new TextEncoder();
const decoder = new TextDecoder();
type Bytes = Uint8Array | Buffer;
const text = (bytes: Bytes) => decoder.decode(bytes);
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
const buffer = (bytes: Uint8Array | null) => (bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null);

/**
 * LangGraph's Postgres saver, with message lists stored once. The stock saver writes a channel's
 * whole value again at every version, so a conversation's `messages` cost grows with the square of
 * its length. Here each message is a row of `message_payloads`, written once, and a list is a path
 * in a tree of `message_nodes` (a branch is a new child of an older node); the channel's blob holds
 * only the path's leaf. Everything else (checkpoints, other channels, writes, list, history) is the
 * stock saver's tables and code, so data the stock saver wrote reads as before.
 *
 * Each put and putWrites is one SQL statement. A list this process wrote or read is remembered by
 * its leaf, so the next step's read of it costs no query and no parsing.
 *
 * Search rows (message_search) are written by the put that adds a message to a conversation's
 * list, in the same statement as its message_nodes row (and its payload, when the put is first to
 * store it). A payload that putWrites stored is a task's pending write, not yet part of any
 * checkpoint (and maybe never: its step may fail), and which assistant turn a model message belongs
 * to is known only from the list. A put stores only finished messages, never streaming text, and a
 * list's stored prefix makes no new node, so each message is indexed once.
 */
export class ThreadlineSaver extends BranchSafePostgresSaver {
  private readonly memory = new MessageMemory();
  private readonly recent = new RecentLists(100_000);
  private readonly t: Record<"checkpoints" | "blobs" | "writes" | "payloads" | "nodes", string>;

  constructor(
    private readonly db: pg.Pool,
    private readonly schema: string,
  ) {
    super(db, undefined, { schema });
    const q = (table: string) => `"${schema}".${table}`;
    this.t = {
      checkpoints: q("checkpoints"),
      blobs: q("checkpoint_blobs"),
      writes: q("checkpoint_writes"),
      payloads: q("message_payloads"),
      nodes: q("message_nodes"),
    };
  }

  override async setup() {
    await super.setup();
    await this.db.query(`
      CREATE TABLE IF NOT EXISTS ${this.t.payloads} (
        key uuid PRIMARY KEY,
        thread_id text NOT NULL,
        checkpoint_ns text NOT NULL DEFAULT '',
        type text NOT NULL,
        payload bytea NOT NULL
      );
      CREATE INDEX IF NOT EXISTS message_payloads_thread_idx ON ${this.t.payloads} (thread_id);
      CREATE TABLE IF NOT EXISTS ${this.t.nodes} (
        node uuid PRIMARY KEY,
        parent uuid,
        key uuid NOT NULL,
        depth integer NOT NULL
      );
      CREATE INDEX IF NOT EXISTS message_nodes_key_idx ON ${this.t.nodes} (key);`);
    await this.db.query(this.forgetNodeThreads());
  }

  /**
   * A node's thread is its payload's, so nodes no longer repeat it (38 bytes a message, and an index
   * on text). Tables made before keep the columns, made optional, so that an instance still running
   * the older code during a rolling deploy can go on writing them.
   */
  private forgetNodeThreads() {
    return `DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = ${literal(this.schema)} AND table_name = 'message_nodes' AND column_name = 'thread_id') THEN
        ALTER TABLE ${this.t.nodes} ALTER COLUMN thread_id DROP NOT NULL, ALTER COLUMN checkpoint_ns DROP NOT NULL, ALTER COLUMN checkpoint_ns DROP DEFAULT;
        DROP INDEX IF EXISTS "${this.schema}".message_nodes_thread_idx;
      END IF;
    END $$`;
  }

  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    return timed(
      (s) => metrics().checkpointWrite.observe({ op: "put" }, s),
      () => this.write(config, checkpoint, metadata, newVersions),
    );
  }

  override putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    return timed(
      (s) => metrics().checkpointWrite.observe({ op: "putWrites" }, s),
      () => this.writeWrites(config, writes, taskId),
    );
  }

  private async write(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error(`Missing "configurable" field in "config" param`);
    const {
      thread_id: threadId,
      checkpoint_ns: ns = "",
      checkpoint_id: parentId,
    } = config.configurable as { thread_id: string; checkpoint_ns?: string; checkpoint_id?: string };
    const scope = scopeOf(threadId, ns);
    const generation = this.memory.generation(scope);
    const keysThisPut = new Map<BaseMessage, string>();
    const blobs: { channel: string; version: string; type: string; blob: Uint8Array | null }[] = [];
    const nodes: NewNode[] = [];
    const payloads: NewPayload[] = [];
    const lists: { leaf: string; messages: BaseMessage[] }[] = [];
    const searchThread = searchableThread(threadId, ns);
    const search: SearchRow[] = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      const value = checkpoint.channel_values[channel];
      if (!(channel in checkpoint.channel_values)) {
        // The stock saver writes an "empty" row here; a missing row reads back the same (no value).
        continue;
      } else if (isMessageList(value)) {
        const path = await planPath(this.memory, scope, value, this.serialize, keysThisPut, payloads, (leaf) => this.recent.peek(leaf));
        nodes.push(...path.nodes);
        lists.push({ leaf: path.leaf, messages: value });
        if (searchThread && channel === "messages" && path.nodes.length) search.push(...searchRows(searchThread, value, path.nodes[0]!.depth));
        blobs.push({ channel, version: String(version), type: MESSAGE_PATH, blob: encoder.encode(`${path.leaf}:${path.length}`) });
      } else {
        const [type, blob] = await this.serde.dumpsTyped(value);
        blobs.push({ channel, version: String(version), type, blob });
      }
    }
    const payloadRows = this.payloadColumns(payloads);
    const serializedMetadata = await this._dumpMetadata(metadata);
    await this.query(
      `WITH p AS (${this.insertPayloads(3)}),
       n AS (
         INSERT INTO ${this.t.nodes} (node, parent, key, depth)
         SELECT x.node, x.parent, x.key, x.depth FROM unnest($6::uuid[], $7::uuid[], $8::uuid[], $9::int[]) AS x(node, parent, key, depth)
       ),
       b AS (
         INSERT INTO ${this.t.blobs} (thread_id, checkpoint_ns, channel, version, type, blob)
         SELECT $1, $2, x.channel, x.version, x.type, x.blob FROM unnest($10::text[], $11::text[], $12::text[], $13::bytea[]) AS x(channel, version, type, blob)
         ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING
       ),
       s AS (${insertSearchRows(18, 22)})
       INSERT INTO ${this.t.checkpoints} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
       VALUES ($1, $2, $14, $15, $16, $17)
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`,
      [
        threadId,
        ns,
        ...payloadRows,
        nodes.map((n) => n.node),
        nodes.map((n) => n.parent),
        nodes.map((n) => n.key),
        nodes.map((n) => n.depth),
        blobs.map((b) => b.channel),
        blobs.map((b) => b.version),
        blobs.map((b) => b.type),
        blobs.map((b) => buffer(b.blob)),
        checkpoint.id,
        parentId ?? null,
        this._dumpCheckpoint(checkpoint),
        serializedMetadata,
        ...searchRowColumns(search),
        searchThread,
      ],
    );
    // Only what is written may be remembered as stored.
    for (const p of payloads) this.memory.rememberPayload(p.message, { scope, generation, key: p.key });
    for (const n of nodes) this.memory.rememberNode(n.message, { scope, generation, node: n.node, parent: n.parent, depth: n.depth });
    for (const list of lists) this.recent.set(list.leaf, list.messages);
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  private async writeWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const {
      thread_id: threadId,
      checkpoint_ns: ns = "",
      checkpoint_id: checkpointId,
    } = config.configurable as { thread_id: string; checkpoint_ns?: string; checkpoint_id: string };
    const scope = scopeOf(threadId, ns);
    const generation = this.memory.generation(scope);
    const keysThisCall = new Map<BaseMessage, string>();
    const payloads: NewPayload[] = [];
    const rows = await Promise.all(
      writes.map(async ([channel, value], idx) => {
        const index = (WRITES_IDX_MAP as Record<string, number>)[channel] ?? idx;
        if (!isMessageList(value)) {
          const [type, blob] = await this.serde.dumpsTyped(value);
          return { channel, index, type, blob };
        }
        const keys = await payloadKeys(this.memory, scope, value, this.serialize, keysThisCall, payloads);
        return { channel, index, type: MESSAGE_KEYS, blob: encoder.encode(JSON.stringify(keys)) };
      }),
    );
    // As the stock saver: LangGraph's special writes (errors, interrupts, resumes) replace, others are kept.
    const upsert = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const payloadRows = this.payloadColumns(payloads);
    await this.query(
      `WITH p AS (${this.insertPayloads(3)})
       INSERT INTO ${this.t.writes} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
       SELECT $1, $2, $6, $7, x.idx, x.channel, x.type, x.blob FROM unnest($8::int[], $9::text[], $10::text[], $11::bytea[]) AS x(idx, channel, type, blob)
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) ${upsert ? "DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob" : "DO NOTHING"}`,
      [
        threadId,
        ns,
        ...payloadRows,
        checkpointId,
        taskId,
        rows.map((r) => r.index),
        rows.map((r) => r.channel),
        rows.map((r) => r.type),
        rows.map((r) => buffer(r.blob)),
      ],
    );
    for (const p of payloads) this.memory.rememberPayload(p.message, { scope, generation, key: p.key });
  }

  override async deleteThread(threadId: string): Promise<void> {
    await this.query(
      `WITH a AS (DELETE FROM ${this.t.blobs} WHERE thread_id = $1),
            b AS (DELETE FROM ${this.t.writes} WHERE thread_id = $1),
            c AS (DELETE FROM ${this.t.nodes} WHERE key IN (SELECT key FROM ${this.t.payloads} WHERE thread_id = $1)),
            d AS (DELETE FROM ${this.t.payloads} WHERE thread_id = $1)
       DELETE FROM ${this.t.checkpoints} WHERE thread_id = $1`,
      [threadId],
    );
    this.memory.forget(threadId);
  }

  protected override async _loadBlobs(blobValues: [Uint8Array, Uint8Array, Uint8Array][]): Promise<Record<string, unknown>> {
    if (!blobValues || blobValues.length === 0) return {};
    const paths = blobValues.filter(([, type]) => text(type) === MESSAGE_PATH);
    const values = await super._loadBlobs(blobValues.filter(([, type]) => text(type) !== MESSAGE_PATH));
    const lists = await this.loadPaths(paths.map(([, , ref]) => text(ref).split(":")[0]!));
    for (const [channel, , ref] of paths) values[text(channel)] = lists.get(text(ref).split(":")[0]!);
    return values;
  }

  protected override async _loadWrites(writes: [Uint8Array, Uint8Array, Uint8Array, Uint8Array][]): Promise<[string, string, unknown][]> {
    if (!writes) return [];
    const keyed = writes.filter(([, , type]) => text(type) === MESSAGE_KEYS).flatMap(([, , , blob]) => JSON.parse(text(blob)) as string[]);
    const messages = await this.loadPayloads(keyed);
    return Promise.all(
      writes.map(async ([task, channel, type, blob]): Promise<[string, string, unknown]> => {
        const value =
          text(type) === MESSAGE_KEYS ? (JSON.parse(text(blob)) as string[]).map((key) => messages.get(key)) : await this.serde.loadsTyped(text(type), blob);
        return [text(task), text(channel), value];
      }),
    );
  }

  /** Message lists by leaf: remembered ones at once, the rest in one walk up the tree. */
  private async loadPaths(leaves: string[]): Promise<Map<string, BaseMessage[]>> {
    const lists = new Map<string, BaseMessage[]>();
    const missing: string[] = [];
    for (const leaf of leaves) {
      const known = this.recent.get(leaf);
      if (known) lists.set(leaf, known);
      else missing.push(leaf);
    }
    if (missing.length === 0) return lists;
    const { rows } = await this.query<{
      leaf: string;
      node: string;
      parent: string | null;
      depth: number;
      key: string;
      type: string;
      payload: Buffer;
      thread_id: string;
      checkpoint_ns: string;
    }>(
      `WITH RECURSIVE walk AS (
         SELECT n.node, n.parent, n.key, n.depth, n.node AS leaf FROM ${this.t.nodes} n WHERE n.node = ANY($1::uuid[])
         UNION ALL
         -- One primary-key lookup a step, whatever the planner's statistics say about the table.
         SELECT n.node, n.parent, n.key, n.depth, w.leaf FROM walk w
         CROSS JOIN LATERAL (SELECT * FROM ${this.t.nodes} m WHERE m.node = w.parent LIMIT 1) n
       )
       SELECT w.leaf, w.node, w.parent, w.depth, w.key, p.type, p.payload, p.thread_id, p.checkpoint_ns
       FROM walk w JOIN ${this.t.payloads} p ON p.key = w.key
       ORDER BY w.leaf, w.depth`,
      [missing],
    );
    const byLeaf = new Map<string, BaseMessage[]>();
    for (const row of rows) {
      const scope = scopeOf(row.thread_id, row.checkpoint_ns);
      const generation = this.memory.generation(scope);
      const message = await this.loadMessage(row.type, row.payload);
      this.memory.rememberPayload(message, { scope, generation, key: row.key });
      this.memory.rememberNode(message, { scope, generation, node: row.node, parent: row.parent, depth: row.depth });
      const list = byLeaf.get(row.leaf) ?? [];
      list.push(message);
      byLeaf.set(row.leaf, list);
    }
    for (const [leaf, list] of byLeaf) {
      this.recent.set(leaf, list);
      lists.set(leaf, this.recent.get(leaf)!);
    }
    return lists;
  }

  private async loadPayloads(keys: string[]): Promise<Map<string, BaseMessage>> {
    const out = new Map<string, BaseMessage>();
    if (keys.length === 0) return out;
    const { rows } = await this.query<{ key: string; type: string; payload: Buffer; thread_id: string; checkpoint_ns: string }>(
      `SELECT key, type, payload, thread_id, checkpoint_ns FROM ${this.t.payloads} WHERE key = ANY($1::uuid[])`,
      [[...new Set(keys)]],
    );
    for (const row of rows) {
      const message = await this.loadMessage(row.type, row.payload);
      const scope = scopeOf(row.thread_id, row.checkpoint_ns);
      this.memory.rememberPayload(message, { scope, generation: this.memory.generation(scope), key: row.key });
      out.set(row.key, message);
    }
    return out;
  }

  private loadMessage(type: string, payload: Buffer): Promise<BaseMessage> | BaseMessage {
    return reviveMessage(type, payload) ?? (this.serde.loadsTyped(type, payload) as Promise<BaseMessage>);
  }

  /** Prepared once per connection (unnamed behind a pooler): a turn's statements differ only in their values. */
  private query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[]) {
    return this.db.query<R>(prepared(this.db, text, values));
  }

  private readonly serialize = async (message: BaseMessage) => compactMessage(message) ?? ((await this.serde.dumpsTyped(message)) as [string, Uint8Array]);

  private payloadColumns(payloads: NewPayload[]): [string[], string[], (Buffer | null)[]] {
    return [payloads.map((p) => p.key), payloads.map((p) => p.type), payloads.map((p) => buffer(p.bytes))];
  }

  /** New payloads, from parameters $first.. $first+2 (keys, types, bytes); thread and namespace are $1, $2. */
  private insertPayloads(first: number) {
    return `INSERT INTO ${this.t.payloads} (key, thread_id, checkpoint_ns, type, payload)
      SELECT x.key, $1, $2, x.type, x.payload FROM unnest($${first}::uuid[], $${first + 1}::text[], $${first + 2}::bytea[]) AS x(key, type, payload)
      ON CONFLICT (key) DO NOTHING`;
  }
}
