import "server-only";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { cache, type ReactNode } from "react";
import { makeQueryClient } from "@/lib/query-client";
import { createContext } from "./context";
import { appRouter } from "./root";

// One query client per server request, shared by every prefetch in that render.
export const getQueryClient = cache(makeQueryClient);
const requestContext = cache(() => createContext());

export const trpc = createTRPCOptionsProxy({ ctx: requestContext, router: appRouter, queryClient: getQueryClient });

export const getCaller = cache(async () => appRouter.createCaller(await requestContext()));

export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
