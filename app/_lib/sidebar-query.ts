// Shared by the server prefetch and the client sidebar so both build the same query key.
export const SIDEBAR_PAGE_SIZE = 30;
export const sidebarListInput = { limit: SIDEBAR_PAGE_SIZE };
export const nextThreadCursor = <C>(page: { nextCursor: C | null }) => page.nextCursor;
