import type OpenAI from 'openai';

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

interface Turn {
  messages: Message[];
  /** One line per tool call: what it was asked and the start of what it returned. */
  summary: string[];
}

/** Turns always kept whole, however large: the model needs the results it is reasoning about right now. */
const KEPT_TURNS = 2;
/** Compact before the budget is reached, leaving room for the next reply and tool results. */
const COMPACT_AT = 0.75;
const MAX_SUMMARY_LINES = 60;

const size = (message: Message): number => JSON.stringify(message).length;

/**
 * The conversation sent to the model. When it nears the context budget, the oldest turns are dropped and a
 * running summary of their findings takes their place (a turn is dropped whole, so every tool call keeps its
 * tool reply and the request stays valid).
 */
export class ConversationHistory {
  private readonly turns: Turn[] = [];
  private readonly summary: string[] = [];
  private droppedTurns = 0;

  constructor(
    private readonly head: Message[],
    private readonly budget: number,
  ) {}

  push(messages: Message[], summary: string[]): void {
    this.turns.push({ messages, summary });
    this.compact();
  }

  messages(): Message[] {
    const summary: Message[] =
      this.summary.length > 0
        ? [
            {
              role: 'user',
              content:
                `Running summary of ${this.droppedTurns} earlier turns, whose full results were dropped to stay ` +
                `within the context budget (repeat a call only if you need its detail):\n- ${this.summary.join('\n- ')}`,
            },
          ]
        : [];
    return [...this.head, ...summary, ...this.turns.flatMap((turn) => turn.messages)];
  }

  get compactedTurns(): number {
    return this.droppedTurns;
  }

  private total(): number {
    return this.messages().reduce((sum, message) => sum + size(message), 0);
  }

  private compact(): void {
    while (this.turns.length > KEPT_TURNS && this.total() > this.budget * COMPACT_AT) {
      const oldest = this.turns.shift()!;
      this.droppedTurns += 1;
      this.summary.push(...oldest.summary);
      this.summary.splice(0, Math.max(0, this.summary.length - MAX_SUMMARY_LINES));
    }
  }
}
