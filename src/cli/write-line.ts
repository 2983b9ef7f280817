import { redaction } from '../redaction/policy.ts';

export type Write = (text: string) => void;

/** The commands' one way to stdout, masked by the redaction policy like every other way out. */
export const writeLine: Write = (text) => {
  process.stdout.write(`${redaction.text(text)}\n`);
};
