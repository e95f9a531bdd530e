import { afterEach } from "vitest";
import { type Config, overrideConfig } from "../../server/config";

/** Changes settings for one test at a time: each test's changes are undone after it. */
export function settingsPerTest(): (values: Partial<Config>) => void {
  const restores: (() => void)[] = [];
  afterEach(() => {
    while (restores.length) restores.pop()!();
  });
  return (values) => void restores.push(overrideConfig(values));
}
