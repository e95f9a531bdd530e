/** The link to a message (a memory's source, a search result): the conversation, opened at that message on its branch. */
export const messageHref = (threadId: string, messageId: string | null) => (messageId ? `/c/${threadId}?m=${encodeURIComponent(messageId)}` : `/c/${threadId}`);
