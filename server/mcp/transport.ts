import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { McpServerSpec } from "@/server/agent/config-file";

/** How a connection gets a fresh transport, for each attempt to (re)connect. Tests give in-memory ones. */
export type TransportFactory = () => Transport | Promise<Transport>;

/** What a stdio server finds on PATH unless the file passes PATH itself. */
export const MINIMAL_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * A stdio server's whole environment: the variables the file names, and PATH. The SDK adds HOME,
 * USER, SHELL and the like to whatever it is given; each is set to undefined here, which Node leaves
 * out of the child's environment. So no session, cookie, database URL or key of Threadline's reaches
 * the child unless the operator names it.
 */
export function childEnvironment(names: string[], values: Record<string, string | undefined>): Record<string, string> {
  const cleared = Object.fromEntries(Object.keys(getDefaultEnvironment()).map((k) => [k, undefined]));
  const named = Object.fromEntries(names.flatMap((n) => (values[n] === undefined ? [] : [[n, values[n]]])));
  return { ...cleared, PATH: MINIMAL_PATH, ...named } as Record<string, string>;
}

/** Each attempt spawns the command again, or opens the URL again; `secrets` holds the values the file names. */
export function transportFor(spec: McpServerSpec, secrets: Record<string, string>): TransportFactory {
  if (spec.stdio) {
    const { command, args, env, cwd } = spec.stdio;
    // stderr is piped, not inherited: a server's chatter stays out of Threadline's JSON log lines.
    return () => new StdioClientTransport({ command, args, env: childEnvironment(env, secrets), cwd, stderr: "pipe" });
  }
  const http = spec.http!;
  const headers = Object.fromEntries(Object.entries(http.headers).map(([name, h]) => [name, `${h.prefix}${secrets[h.env] ?? ""}`]));
  // No redirects: the headers (keys, often) go to the configured address and nowhere else.
  return () => new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers, redirect: "error" } });
}
