import { expect } from "vitest";

/**
 * A metric's value for the given labels, from Prometheus text. A metric the registry does not have
 * fails the test rather than reading as 0; only a labelled series nothing has touched yet is 0.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const lines = text.split("\n");
  const family = name.replace(/_(count|sum|bucket)$/, "");
  expect(
    lines.some((l) => l.startsWith(`# TYPE ${family} `)),
    `${name} is in the scrape`,
  ).toBe(true);
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = lines.find((l) => l.startsWith(name) && wanted.every((w) => l.includes(w)) && (l[name.length] === " " || l[name.length] === "{"));
  if (line) return Number(line.split(" ").at(-1));
  expect(wanted, `${name} has a value`).not.toEqual([]);
  return 0;
}
