import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { guardTrpcRequest } from "@/server/security/request-guard";
import { createContext } from "@/server/trpc/context";
import { appRouter } from "@/server/trpc/root";

const handler = async (request: Request) => {
  const req = await guardTrpcRequest(request);
  if (req instanceof Response) return req;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext,
  });
};

export { handler as GET, handler as POST };
