// Shared by the server prefetch and the Memory page so both build the same query key.
export const MEMORY_PAGE_SIZE = 50;
export const memoryListInput = (query: string) => ({ limit: MEMORY_PAGE_SIZE, ...(query && { query }) });
export const nextMemoryCursor = <C>(page: { nextCursor: C | null }) => page.nextCursor;
