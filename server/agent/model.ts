import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type Config, config } from "@/server/config";
import { createOfflineModel } from "./offline-model";

export type Provider = "openai" | "anthropic" | "ollama" | "offline";

export interface ModelChoice {
  provider: Provider;
  model: string;
  /** What the UI shows. */
  label: string;
  /** Builds the chat model; providers' SDKs load only when chosen. */
  create(): Promise<BaseChatModel>;
}

/**
 * The provider comes from the environment: the first of OpenAI (or any OpenAI-compatible server via
 * OPENAI_BASE_URL), Anthropic and Ollama that is configured, else the built-in offline model.
 * Provider SDK retries are off: the graph's retry policy owns retrying.
 */
export function chooseModel(env: Config = config()): ModelChoice {
  const model = env.LLM_MODEL;
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) {
    const name = model ?? "gpt-4o-mini";
    return {
      provider: "openai",
      model: name,
      label: env.OPENAI_BASE_URL ? `${name} (${new URL(env.OPENAI_BASE_URL).host})` : `OpenAI ${name}`,
      async create() {
        const { createOpenAIModel } = await import("./providers/openai");
        return createOpenAIModel({
          model: name,
          // Local OpenAI-compatible servers usually ignore the key, but the SDK insists on one.
          apiKey: env.OPENAI_API_KEY ?? "not-needed",
          configuration: env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : undefined,
          streaming: true,
          streamUsage: true,
          maxRetries: 0,
          timeout: env.MODEL_TIMEOUT_MS,
        });
      },
    };
  }
  if (env.ANTHROPIC_API_KEY) {
    const name = model ?? "claude-sonnet-4-5";
    return {
      provider: "anthropic",
      model: name,
      label: `Anthropic ${name}`,
      async create() {
        const { ChatAnthropic } = await import("@langchain/anthropic");
        return new ChatAnthropic({ model: name, apiKey: env.ANTHROPIC_API_KEY, maxRetries: 0 });
      },
    };
  }
  if (env.OLLAMA_BASE_URL) {
    const name = model ?? "llama3.1";
    return {
      provider: "ollama",
      model: name,
      label: `Ollama ${name}`,
      async create() {
        const { ChatOllama } = await import("@langchain/ollama");
        return new ChatOllama({ model: name, baseUrl: env.OLLAMA_BASE_URL });
      },
    };
  }
  return {
    provider: "offline",
    model: "offline-demo",
    label: "Offline demo model",
    create: async () => createOfflineModel(env.OFFLINE_MODEL_DELAY_MS),
  };
}
