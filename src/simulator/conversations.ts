import { invalid, notFound } from './errors.ts';
import { runQuery, type Page } from './query.ts';
import type { ListQuery } from './rql.ts';
import { formatTimestamp } from './timestamps.ts';

/**
 * Conversations (CONNECT-API.md, "Conversations"): Connect opens one per request when the request is
 * created; vendors list them by `instance_id` and add messages. Ids derive from the request's, so the
 * seeded PRNG (and every seeded id after it) is left as it was.
 */

export interface Conversation {
  id: string;
  instance_id: string;
  topic: string;
  type: 'conversation';
  status: 'open';
  accounts: Array<{ id: string; name: string }>;
  created: string;
}

export interface Message {
  id: string;
  conversation: string;
  text: string;
  type: 'message';
  created: string;
}

const MESSAGE_MAX = 4096;

export class ConversationBook {
  readonly #byId = new Map<string, Conversation>();
  readonly #messages = new Map<string, Message[]>();
  #lastMessageAt = 0;

  /** The conversation Connect opens with each new request. */
  open(instanceId: string, created: string): void {
    const id = conversationIdOf(instanceId);
    this.#byId.set(id, {
      id,
      instance_id: instanceId,
      topic: `Fulfillment request ${instanceId}`,
      type: 'conversation',
      status: 'open',
      accounts: [],
      created,
    });
  }

  get conversations(): Iterable<Conversation> {
    return this.#byId.values();
  }

  /** One page of a conversation's messages, oldest first unless the query orders otherwise. */
  listMessages(conversationId: string, query: ListQuery): Page<Message> {
    return runQuery(this.#messagesOf(conversationId), query, {
      defaultOrdering: [{ field: 'created', descending: false }],
    });
  }

  /** POST /conversations/{id}/messages: `{"text": "..."}`. */
  post(conversationId: string, body: unknown, now: number): Message {
    const messages = this.#messagesOf(conversationId);
    const text = (body as { text?: unknown } | null | undefined)?.text;
    if (typeof text !== 'string' || text.trim() === '') throw invalid('text is required.');
    if (text.length > MESSAGE_MAX)
      throw invalid(`text is ${text.length} characters long; at most ${MESSAGE_MAX} are allowed.`);
    // Strictly increasing times: "the last message" is never a tie.
    this.#lastMessageAt = Math.max(now, this.#lastMessageAt + 1);
    const message: Message = {
      id: `ME-${conversationId.replace(/^CO-/, '')}-${String(messages.length + 1).padStart(3, '0')}`,
      conversation: conversationId,
      text,
      type: 'message',
      created: formatTimestamp(this.#lastMessageAt),
    };
    messages.push(message);
    return message;
  }

  /** Every message of the conversation of `instanceId`, oldest first (for tests). */
  messagesOf(instanceId: string): Message[] {
    return [...(this.#messages.get(conversationIdOf(instanceId)) ?? [])];
  }

  #messagesOf(conversationId: string): Message[] {
    if (!this.#byId.has(conversationId)) throw notFound(`Conversation ${conversationId} not found.`);
    let messages = this.#messages.get(conversationId);
    if (messages === undefined) this.#messages.set(conversationId, (messages = []));
    return messages;
  }
}

/** The id of the conversation Connect opened for an object: CO- and the object's digits. */
export function conversationIdOf(instanceId: string): string {
  return `CO-${instanceId.replace(/^[A-Z]+-/, '')}`;
}
