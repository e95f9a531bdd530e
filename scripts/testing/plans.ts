/** Every node of a JSON plan (EXPLAIN (FORMAT JSON)), flattened. */
export function planNodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [plan, ...children.flatMap(planNodes)];
}
