import { z } from 'zod';
import type { ConnectClient } from './client.ts';
import { joinQuery, rql } from './rql.ts';
import type { InvalidItem } from './schemas.ts';

/**
 * Conversations: the notes a vendor leaves on a request (CONNECT-API.md, "Conversations"). Connect
 * opens one per request; the vendor finds it by `instance_id` and adds messages.
 */
const str = z.string().nullish();
export const ConversationSchema = z.looseObject({ id: z.string().min(1), instance_id: str, status: str });
export const MessageSchema = z.looseObject({
  id: z.string().min(1),
  text: z.string(),
  type: str,
  created: str,
});
export type Conversation = z.infer<typeof ConversationSchema>;
export type Message = z.infer<typeof MessageSchema>;

export interface ConversationReadOptions {
  signal?: AbortSignal;
  /** A listed conversation or message of an unexpected shape: set aside, named here. */
  onInvalid?: (item: InvalidItem) => void;
}

/** The conversation of a request (or any object), or undefined when Connect has none. */
export async function findConversation(
  client: ConnectClient,
  instanceId: string,
  options: ConversationReadOptions = {},
): Promise<Conversation | undefined> {
  const filter = `instance_id=${encodeURIComponent(instanceId)}`;
  for await (const conversation of client.paginate('/conversations', filter, ConversationSchema, {
    pageSize: 10,
    ...options,
  })) {
    if (conversation.instance_id === undefined || conversation.instance_id === instanceId)
      return conversation;
  }
  return undefined;
}

/** The newest message (type `message`, not Connect's own status changes) of a conversation. */
export async function lastMessage(
  client: ConnectClient,
  conversationId: string,
  options: ConversationReadOptions = {},
): Promise<Message | undefined> {
  return (await lastMessages(client, conversationId, 1, options))[0];
}

/** The `count` newest messages (type `message`) of a conversation, newest first. */
export async function lastMessages(
  client: ConnectClient,
  conversationId: string,
  count: number,
  options: ConversationReadOptions = {},
): Promise<Message[]> {
  const filter = joinQuery(rql.eq('type', 'message'), rql.ordering('-created'));
  const messages: Message[] = [];
  for await (const message of client.paginate(
    `/conversations/${encodeURIComponent(conversationId)}/messages`,
    filter,
    MessageSchema,
    { pageSize: count, ...options },
  )) {
    messages.push(message);
    if (messages.length === count) break;
  }
  return messages;
}

/** Adds a message. Sent once (a repeated POST would post it twice), retried only after a 429. */
export async function postMessage(
  client: ConnectClient,
  conversationId: string,
  text: string,
  signal?: AbortSignal,
): Promise<void> {
  await client.create(`/conversations/${encodeURIComponent(conversationId)}/messages`, { text }, signal);
}
