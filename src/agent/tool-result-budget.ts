/** What the model sees of one tool result: at most `budget` characters, and a note saying what was cut. */
export function cutToBudget(text: string, budget: number): { text: string; cutChars: number } {
  if (text.length <= budget) return { text, cutChars: 0 };
  const cutChars = text.length - budget;
  const note =
    `\n[cut by the context budget: ${cutChars} of ${text.length} characters omitted. ` +
    'Ask for less: a name, a label selector, a namespace, fewer log lines.]';
  return { text: text.slice(0, budget) + note, cutChars };
}
