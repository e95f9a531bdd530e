/** Limits the server enforces and the UI mirrors, in one place for both (no imports: client-safe). */
export const MAX_MESSAGE_LENGTH = 32_000;
