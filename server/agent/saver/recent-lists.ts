import type { BaseMessage } from "@langchain/core/messages";

/**
 * Message lists this process wrote or read lately, by the leaf that names them in Postgres: the
 * next step of a conversation reads back the list the last step wrote. Bounded by the number of
 * messages held, oldest first out. Callers get their own copy of the list (the messages are shared:
 * LangGraph treats them as immutable).
 */
export class RecentLists {
  private readonly lists = new Map<string, BaseMessage[]>();
  private held = 0;

  constructor(private readonly maxMessages: number) {}

  get(leaf: string): BaseMessage[] | undefined {
    const list = this.lists.get(leaf);
    if (!list) return undefined;
    this.lists.delete(leaf);
    this.lists.set(leaf, list);
    return list.slice();
  }

  /** The list itself, not a copy, and without counting as a use: for comparing, never for handing out. */
  peek(leaf: string): readonly BaseMessage[] | undefined {
    return this.lists.get(leaf);
  }

  set(leaf: string, messages: BaseMessage[]) {
    const old = this.lists.get(leaf);
    if (old) this.held -= old.length;
    this.lists.delete(leaf);
    this.lists.set(leaf, messages.slice());
    this.held += messages.length;
    for (const [key, list] of this.lists) {
      if (this.held <= this.maxMessages || key === leaf) break;
      this.lists.delete(key);
      this.held -= list.length;
    }
  }
}
