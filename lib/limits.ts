/** Limits the server enforces and the UI mirrors, in one place for both (no imports: client-safe). */
export const MAX_MESSAGE_LENGTH = 32_000;

/** The most a search may say, in characters. */
export const MAX_SEARCH_LENGTH = 200;

/** The most tRPC calls the app's pages put in one request; the server's TRPC_MAX_BATCH_SIZE may not be lower. */
export const CLIENT_BATCH_SIZE = 10;
