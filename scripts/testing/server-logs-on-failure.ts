import { beforeEach } from "vitest";
import { watchServers } from "./servers";

const TAIL_LINES = 120;

// Setup file of vitest.process.config.ts: a green run shows no server output; a failed test shows
// the end of the log of every server that ran while it did.
beforeEach(({ onTestFailed }) => {
  const watch = watchServers();
  onTestFailed(() => {
    for (const server of watch.seen) {
      const lines = server.output().trimEnd().split("\n");
      const shown = lines.slice(-TAIL_LINES).join("\n");
      const of = lines.length > TAIL_LINES ? `last ${TAIL_LINES} of ${lines.length} lines; all in ${server.logFile}` : server.logFile;
      console.error(`── server ${server.url} (${of}) ──\n${shown}\n`);
    }
  });
  return watch.stop;
});
