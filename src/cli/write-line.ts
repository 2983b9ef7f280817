import { redaction } from '../redaction/policy.ts';

export type Write = (text: string) => void;

/** Lines to `out`, each masked by the redaction policy first, like every other way out. */
export const maskedLines =
  (out: (text: string) => void): Write =>
  (text) =>
    out(`${redaction.text(text)}\n`);

/** The commands' one way to stdout. */
export const writeLine: Write = maskedLines((text) => process.stdout.write(text));
