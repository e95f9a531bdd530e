import "server-only";
import { createCallerFactory, router } from "./init";
import { chatRouter } from "./routers/chat";
import { threadRouter } from "./routers/thread";

export const appRouter = router({
  thread: threadRouter,
  chat: chatRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
