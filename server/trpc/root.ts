import "server-only";
import { createCallerFactory, router } from "./init";
import { accountRouter } from "./routers/account";
import { chatRouter } from "./routers/chat";
import { feedbackRouter } from "./routers/feedback";
import { memoryRouter } from "./routers/memory";
import { searchRouter } from "./routers/search";
import { shareRouter } from "./routers/share";
import { threadRouter } from "./routers/thread";

export const appRouter = router({
  thread: threadRouter,
  chat: chatRouter,
  memory: memoryRouter,
  search: searchRouter,
  feedback: feedbackRouter,
  account: accountRouter,
  share: shareRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
