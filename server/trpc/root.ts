import "server-only";
import { createCallerFactory, router } from "./init";
import { chatRouter } from "./routers/chat";
import { memoryRouter } from "./routers/memory";
import { threadRouter } from "./routers/thread";

export const appRouter = router({
  thread: threadRouter,
  chat: chatRouter,
  memory: memoryRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
