import type { Logger, webApi } from '@slack/bolt';
import { errorMessage } from '../observability/error-message.ts';

/** Who clicked, and where: the one person told when their click could not be handled. */
export interface Clicker {
  userId: string;
  channelId: string;
}

/**
 * The last step of every Bolt listener (ack, validate, hand off), inside try/catch as bolt-js's examples write it:
 * a failure is logged with what was being done, and the person who clicked is told privately instead of being
 * left with a button that silently did nothing. Telling them is best effort: Slack itself may be what failed.
 */
export async function handOff(
  what: string,
  { logger, client, clicker }: { logger: Logger; client: webApi.WebClient; clicker: Clicker },
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    logger.error(`${what} failed: ${errorMessage(error)}`);
    await client.chat
      .postEphemeral({
        channel: clicker.channelId,
        user: clicker.userId,
        text: `:warning: Could not ${what} (${errorMessage(error)}). Please try again.`,
      })
      .catch((told: unknown) =>
        logger.warn(`could not tell ${clicker.userId} that ${what} failed: ${errorMessage(told)}`),
      );
  }
}
