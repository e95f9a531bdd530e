import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type Config, config } from "@/server/config";
import type { ModelSpec } from "./config-file";
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

/** What a model needs, whether it comes from the environment or from threadline.config.json. */
export interface ModelSettings {
  provider: ModelSpec["provider"];
  model?: string;
  baseUrl?: string;
  apiKey?: string;
  label?: string;
}

/**
 * The provider comes from the environment: the first of OpenAI (or any OpenAI-compatible server via
 * OPENAI_BASE_URL), Anthropic and Ollama that is configured, else the built-in offline model.
 */
export function chooseModel(env: Config = config()): ModelChoice {
  const model = env.LLM_MODEL;
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL)
    return modelFor({ provider: env.OPENAI_BASE_URL ? "openai-compatible" : "openai", model, baseUrl: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY }, env);
  if (env.ANTHROPIC_API_KEY) return modelFor({ provider: "anthropic", model, apiKey: env.ANTHROPIC_API_KEY }, env);
  if (env.OLLAMA_BASE_URL) return modelFor({ provider: "ollama", model, baseUrl: env.OLLAMA_BASE_URL }, env);
  return modelFor({ provider: "offline" }, env);
}

/** One model, from its settings. Provider SDK retries are off: the graph's retry policy owns retrying. */
export function modelFor(s: ModelSettings, env: Config = config()): ModelChoice {
  if (s.provider === "openai" || s.provider === "openai-compatible") {
    const name = s.model ?? "gpt-4o-mini";
    const baseURL = s.provider === "openai-compatible" ? s.baseUrl : undefined;
    return {
      provider: "openai",
      model: name,
      label: s.label ?? (baseURL ? `${name} (${new URL(baseURL).host})` : `OpenAI ${name}`),
      async create() {
        const { createOpenAIModel } = await import("./providers/openai");
        return createOpenAIModel({
          model: name,
          // Local OpenAI-compatible servers usually ignore the key, but the SDK insists on one.
          apiKey: s.apiKey ?? "not-needed",
          configuration: baseURL ? { baseURL } : undefined,
          streaming: true,
          streamUsage: true,
          maxRetries: 0,
          timeout: env.MODEL_TIMEOUT_MS,
        });
      },
    };
  }
  if (s.provider === "anthropic") {
    const name = s.model ?? "claude-sonnet-4-5";
    return {
      provider: "anthropic",
      model: name,
      label: s.label ?? `Anthropic ${name}`,
      async create() {
        const { ChatAnthropic } = await import("@langchain/anthropic");
        return new ChatAnthropic({ model: name, apiKey: s.apiKey, maxRetries: 0, ...(s.baseUrl && { anthropicApiUrl: s.baseUrl }) });
      },
    };
  }
  if (s.provider === "ollama") {
    const name = s.model ?? "llama3.1";
    return {
      provider: "ollama",
      model: name,
      label: s.label ?? `Ollama ${name}`,
      async create() {
        const { ChatOllama } = await import("@langchain/ollama");
        return new ChatOllama({ model: name, baseUrl: s.baseUrl });
      },
    };
  }
  return {
    provider: "offline",
    model: "offline-demo",
    label: s.label ?? "Offline demo model",
    create: async () => createOfflineModel(env.OFFLINE_MODEL_DELAY_MS),
  };
}

/**
 * Whether a model sees images. LLM_VISION decides when set; on "auto", OpenAI's and Anthropic's
 * chat models do, an Ollama model does when its name is one of the known vision families, and the
 * offline model never does.
 */
export function visionOf(provider: Provider, model: string, setting: Config["LLM_VISION"]): boolean {
  if (provider === "offline") return false;
  if (setting !== "auto") return setting === "on";
  if (provider === "ollama") return /llava|vision|moondream|bakllava|minicpm-v|gemma3|qwen2?\.5?-?vl|llama4|mistral-small3/i.test(model);
  return true;
}
