import type { Logger } from 'pino';
import type { ConnectClient } from '../connect/client.ts';
import { findConversation, lastMessage, postMessage } from '../connect/conversations.ts';

export type NoteResult = 'posted' | 'unchanged' | 'failed';

/**
 * Posts a handler's note on the conversation of a request, unless the conversation's last message is
 * already that text: the conversation itself is the memory, so a skip that says the same thing every
 * cycle tells the customer once, across cycles and restarts. Never throws: a note is a courtesy and
 * never holds up the outcome it comes with.
 */
export async function postNote(
  client: ConnectClient,
  instanceId: string,
  text: string,
  log: Logger,
  signal?: AbortSignal,
): Promise<NoteResult> {
  const onInvalid = (item: { id: string | undefined; problems: string[] }) =>
    log.warn(
      { event: 'note.invalid', itemId: item.id, problems: item.problems },
      `conversation item ${item.id ?? '(no id)'} of ${instanceId} set aside: ${item.problems.join('; ')}`,
    );
  try {
    const conversation = await findConversation(client, instanceId, { signal, onInvalid });
    if (!conversation) {
      log.warn(
        { event: 'note.error', code: 'no_conversation' },
        `${instanceId}: no conversation; note not posted`,
      );
      return 'failed';
    }
    const last = await lastMessage(client, conversation.id, { signal, onInvalid });
    if (last?.text === text) {
      log.debug(
        { event: 'note.unchanged', conversationId: conversation.id },
        `${instanceId}: note already posted`,
      );
      return 'unchanged';
    }
    await postMessage(client, conversation.id, text, signal);
    log.info({ event: 'note.posted', conversationId: conversation.id }, `${instanceId}: note posted`);
    return 'posted';
  } catch (err) {
    log.warn(
      { event: 'note.error', err, code: (err as { code?: unknown }).code },
      `${instanceId}: note not posted: ${err instanceof Error ? err.message : String(err)}`,
    );
    return 'failed';
  }
}
