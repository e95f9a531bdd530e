import { createCallerFactory, router } from "./init";
import { threadRouter } from "./routers/thread";

export const appRouter = router({
  thread: threadRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
