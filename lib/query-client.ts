import { QueryClient } from "@tanstack/react-query";
import superjson from "superjson";

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Server-prefetched data is fresh on arrival; don't refetch it on mount.
        staleTime: 30_000,
        // Never on the server: a prefetch that fails there (say, a conversation that is not yours)
        // would hold the page back through every retry. In the browser, only what may pass.
        retry: (count, err) => typeof window !== "undefined" && count < 2 && !isClientError(err),
      },
      // Only finished queries are sent with the page: we await our prefetches, and a layout rendering
      // beside its page must not ship the page's still-pending query to the browser.
      dehydrate: { serializeData: superjson.serialize },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}

// 4xx answers (not found, bad input, signed out) will not change on retry.
function isClientError(err: unknown): boolean {
  const status = (err as { data?: { httpStatus?: number } })?.data?.httpStatus;
  return typeof status === "number" && status >= 400 && status < 500;
}
