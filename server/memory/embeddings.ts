import { type Config, config } from "@/server/config";
import { logger } from "@/server/observability/log";
import type { Embedded } from "./store";

/** Turns texts into vectors, in order; throws when the provider fails. */
export type EmbedFn = (texts: string[], signal?: AbortSignal) => Promise<number[][]>;

/** A provider's call waits this long at most: recall runs before every model call and must not hang on it. */
const EMBED_TIMEOUT_MS = 10_000;
/** The latest messages' vectors: the model node runs again after each round of tool calls, on the same message. */
const QUERY_CACHE_SIZE = 64;

/**
 * Embeddings for memories, when a provider is configured. A failure never fails a turn or a save:
 * a memory without a vector is still found by full-text search, and so is a message.
 */
export class Embedder {
  private readonly cache = new Map<string, number[]>();

  constructor(
    readonly model: string,
    private readonly embed: EmbedFn,
  ) {}

  /** The vector of a message recall searches with, or null if the provider cannot give one now. */
  async embedQuery(text: string, signal?: AbortSignal): Promise<number[] | null> {
    const cached = this.cache.get(text);
    if (cached) return cached;
    try {
      const [vector] = await this.embed([text], withTimeout(signal));
      if (!vector) return null;
      this.cache.set(text, vector);
      if (this.cache.size > QUERY_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      return vector;
    } catch (err) {
      if (signal?.aborted) throw err;
      logger().warn({ err, model: this.model }, "could not embed the message; recalling by full text only");
      return null;
    }
  }

  /** A memory's vector to store beside it, or none (it is then found by full text only). */
  async embedMemory(text: string): Promise<Embedded> {
    try {
      const [vector] = await this.embed([text], withTimeout());
      return vector ? { embedding: vector, embeddingModel: this.model } : NOT_EMBEDDED;
    } catch (err) {
      logger().warn({ err, model: this.model }, "could not embed a memory; it is found by full text only");
      return NOT_EMBEDDED;
    }
  }
}

export const NOT_EMBEDDED: Embedded = { embedding: null, embeddingModel: null };

/** The vector to store for a memory: none without an embedder. */
export const embeddingOf = (embedder: Embedder | null | undefined, text: string): Promise<Embedded> =>
  embedder ? embedder.embedMemory(text) : Promise.resolve(NOT_EMBEDDED);

const withTimeout = (signal?: AbortSignal) =>
  signal ? AbortSignal.any([signal, AbortSignal.timeout(EMBED_TIMEOUT_MS)]) : AbortSignal.timeout(EMBED_TIMEOUT_MS);

async function postJson(url: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body), signal });
  if (!res.ok) throw Object.assign(new Error(`The embeddings provider answered ${res.status}`), { status: res.status });
  return res.json();
}

function vectors(value: unknown, count: number): number[][] {
  const ok = Array.isArray(value) && value.length === count && value.every((v) => Array.isArray(v) && v.length > 0 && v.every(Number.isFinite));
  if (!ok) throw new Error("The embeddings provider's answer has no vector for each text");
  return value as number[][];
}

/** OpenAI's `/embeddings`, which OpenAI-compatible servers (vLLM, llama.cpp, LM Studio, Ollama's /v1) also serve. */
export function openAIEmbeddings(baseUrl: string, model: string, apiKey?: string): EmbedFn {
  const url = `${baseUrl.replace(/\/+$/, "")}/embeddings`;
  return async (texts, signal) => {
    const body = (await postJson(url, { model, input: texts }, apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal)) as {
      data?: { index: number; embedding: number[] }[];
    };
    const data = [...(body.data ?? [])].sort((a, b) => a.index - b.index);
    return vectors(
      data.map((d) => d.embedding),
      texts.length,
    );
  };
}

/** Ollama's native `/api/embed`. */
export function ollamaEmbeddings(baseUrl: string, model: string): EmbedFn {
  const url = `${baseUrl.replace(/\/+$/, "")}/api/embed`;
  return async (texts, signal) => {
    const body = (await postJson(url, { model, input: texts }, {}, signal)) as { embeddings?: number[][] };
    return vectors(body.embeddings, texts.length);
  };
}

/** The configured provider (EMBEDDINGS_PROVIDER), or null: full-text search alone, the default. */
export function chooseEmbedder(env: Config = config()): Embedder | null {
  switch (env.EMBEDDINGS_PROVIDER) {
    case "openai": {
      const model = env.EMBEDDINGS_MODEL ?? "text-embedding-3-small";
      return new Embedder(model, openAIEmbeddings(env.EMBEDDINGS_BASE_URL ?? "https://api.openai.com/v1", model, env.OPENAI_API_KEY));
    }
    case "openai-compatible":
      return new Embedder(
        env.EMBEDDINGS_MODEL!,
        openAIEmbeddings((env.EMBEDDINGS_BASE_URL ?? env.OPENAI_BASE_URL)!, env.EMBEDDINGS_MODEL!, env.OPENAI_API_KEY),
      );
    case "ollama": {
      const model = env.EMBEDDINGS_MODEL ?? "nomic-embed-text";
      return new Embedder(model, ollamaEmbeddings(env.EMBEDDINGS_BASE_URL ?? env.OLLAMA_BASE_URL ?? "http://localhost:11434", model));
    }
    default:
      return null;
  }
}
