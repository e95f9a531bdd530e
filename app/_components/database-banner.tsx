"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

/** How often the banner asks whether the database is back. */
const RECHECK_MS = 2_000;

const unreachable = (err: unknown) => (err as { data?: { code?: string } } | null)?.data?.code === "SERVICE_UNAVAILABLE";

/** Whether this server reaches its database, from /api/ready's own check (a draining server is not an outage). */
async function databaseReachable(): Promise<boolean> {
  try {
    const res = await fetch("/api/ready", { cache: "no-store" });
    const body = (await res.json()) as { checks?: { database?: boolean } };
    return body.checks?.database !== false;
  } catch {
    return false;
  }
}

/**
 * A banner while the server cannot reach its database. Any call answered 503 raises the question;
 * /api/ready answers it, and is asked again every few seconds until the database is back. Then the
 * banner goes and the page's data is fetched afresh, with nothing for the user to do.
 */
export function DatabaseBanner() {
  const queryClient = useQueryClient();
  const [down, setDown] = useState(false);
  const [suspect, setSuspect] = useState(0);

  useEffect(() => {
    const check = (err: unknown) => unreachable(err) && setSuspect((n) => n + 1);
    const stopMutations = queryClient
      .getMutationCache()
      .subscribe((e) => e.type === "updated" && e.mutation.state.status === "error" && check(e.mutation.state.error));
    const stopQueries = queryClient.getQueryCache().subscribe((e) => e.type === "updated" && e.query.state.status === "error" && check(e.query.state.error));
    return () => {
      stopMutations();
      stopQueries();
    };
  }, [queryClient]);

  useEffect(() => {
    if (suspect === 0) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const reachable = await databaseReachable();
      if (cancelled) return;
      setDown(!reachable);
      if (reachable) return void queryClient.invalidateQueries();
      timer = setTimeout(poll, RECHECK_MS);
    };
    void poll();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [suspect, queryClient]);

  if (!down) return null;
  return (
    <div role="alert" className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-center text-sm text-amber-900">
      Threadline can&apos;t reach its database right now. Nothing you have sent is lost; this clears by itself when it is back.
    </div>
  );
}
