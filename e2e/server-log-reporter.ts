import fs from "node:fs";
import type { FullResult, Reporter } from "@playwright/test/reporter";

/**
 * The web server's output goes to a file (playwright.config.ts), so that a green run shows none
 * of it; when the run fails, this prints the end of that file after the failures.
 */
export default class ServerLogReporter implements Reporter {
  constructor(private readonly options: { file: string; lines?: number }) {}

  onEnd(result: FullResult) {
    if (result.status === "passed") return;
    const { file, lines: tail = 150 } = this.options;
    let log: string;
    try {
      log = fs.readFileSync(file, "utf8");
    } catch {
      console.error(`\n── the web server wrote no log (${file}) ──`);
      return;
    }
    const lines = log.trimEnd().split("\n");
    const of = lines.length > tail ? `last ${tail} of ${lines.length} lines; all in ${file}` : file;
    console.error(`\n── web server log (${of}) ──\n${lines.slice(-tail).join("\n")}\n`);
  }
}
