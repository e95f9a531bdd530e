/** Export and import: the routes and formats both sides name (no imports: client-safe). */

export type ConversationExportFormat = "markdown" | "json";

/** Where a conversation's download comes from. */
export const exportPath = (threadId: string, format: ConversationExportFormat) => `/api/threads/${threadId}/export?format=${format}`;

/** The whole account as one download. */
export const ACCOUNT_EXPORT_PATH = "/api/account/export";

/** Where "Import conversations" sends the file (its bytes as the request body). */
export const IMPORT_PATH = "/api/import";

/** The `format` field of Threadline's own JSON files. */
export const CONVERSATION_FORMAT = "threadline.conversation";
export const ACCOUNT_FORMAT = "threadline.account";
export const FORMAT_VERSION = 1;
