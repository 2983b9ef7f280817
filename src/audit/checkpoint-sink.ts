import { appendFile, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { webApi } from '@slack/bolt';
import { type Checkpoint, CheckpointSchema, signedPart } from './checkpoint.ts';

/** Somewhere outside Postgres that a database superuser cannot rewrite: where checkpoints go and are read back. */
export interface CheckpointSink {
  readonly description: string;
  write(checkpoint: Checkpoint): Promise<void>;
  /** The newest checkpoint written, or null when there is none yet. */
  latest(): Promise<Checkpoint | null>;
}

/** The metadata event type of a checkpoint message in Slack. */
export const CHECKPOINT_EVENT_TYPE = 'incident_bot_audit_checkpoint';

/** One JSON line per checkpoint, appended (point it at WORM storage or a volume the database host cannot reach). */
class FileSink implements CheckpointSink {
  constructor(private readonly path: string) {}
  get description() {
    return `file ${this.path}`;
  }
  async write(checkpoint: Checkpoint) {
    await appendFile(this.path, `${JSON.stringify(checkpoint)}\n`);
  }
  async latest() {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const last = text.trimEnd().split('\n').at(-1);
    return last ? CheckpointSchema.parse(JSON.parse(last)) : null;
  }
}

/**
 * An object store reached by plain HTTP (an S3/GCS bucket URL behind a presigning proxy, MinIO, any WebDAV-like
 * store): each checkpoint is PUT as `<url>/checkpoint-<lastSeq>.json` and as `<url>/latest.json`, read back by GET.
 * Object lock / versioning on the bucket is what keeps it out of reach.
 */
class ObjectStoreSink implements CheckpointSink {
  private readonly base: string;
  constructor(url: string) {
    this.base = url.replace(/\/+$/, '');
  }
  get description() {
    return `object store ${this.base}`;
  }
  private async put(name: string, checkpoint: Checkpoint) {
    const response = await fetch(`${this.base}/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(checkpoint),
    });
    if (!response.ok) throw new Error(`PUT ${this.base}/${name} answered ${response.status}`);
  }
  async write(checkpoint: Checkpoint) {
    await this.put(`checkpoint-${checkpoint.lastSeq.padStart(20, '0')}.json`, checkpoint);
    await this.put('latest.json', checkpoint);
  }
  async latest() {
    const response = await fetch(`${this.base}/latest.json`);
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`GET ${this.base}/latest.json answered ${response.status}`);
    return CheckpointSchema.parse(await response.json());
  }
}

/**
 * A message in a Slack channel (by default the incident channel) whose metadata carries the signed checkpoint. The
 * heads list stays out (metadata is small); the digest and counts still catch a truncated table.
 */
class SlackSink implements CheckpointSink {
  constructor(
    private readonly slack: webApi.WebClient,
    private readonly channel: string,
  ) {}
  get description() {
    return `Slack channel ${this.channel}`;
  }
  async write(checkpoint: Checkpoint) {
    const signed = { ...signedPart(checkpoint), sig: checkpoint.sig };
    await this.slack.chat.postMessage({
      channel: this.channel,
      text: `:lock: Audit checkpoint: ${checkpoint.rows} events in ${checkpoint.chains} chain(s) up to seq ${checkpoint.lastSeq} (digest ${checkpoint.digest.slice(0, 12)}…)`,
      metadata: { event_type: CHECKPOINT_EVENT_TYPE, event_payload: signed },
    });
  }
  async latest() {
    let cursor: string | undefined;
    // Newest first; a busy channel is searched a bounded number of pages back.
    for (let page = 0; page < 20; page++) {
      const history = await this.slack.conversations.history({
        channel: this.channel,
        include_all_metadata: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const message of history.messages ?? []) {
        const metadata = (message as { metadata?: { event_type?: string; event_payload?: unknown } }).metadata;
        if (metadata?.event_type === CHECKPOINT_EVENT_TYPE) return CheckpointSchema.parse(metadata.event_payload);
      }
      cursor = history.response_metadata?.next_cursor || undefined;
      if (!history.has_more || !cursor) break;
    }
    return null;
  }
}

export const SINK_EXAMPLES = 'file:/var/lib/incident-bot/checkpoints.jsonl, slack, slack:C0123456789 or https://…';

/**
 * AUDIT_CHECKPOINT_SINK → a sink: `file:<path>`, `slack` (the incident channel) or `slack:<channel id>`, or an
 * `http(s)://` object-store URL. Throws with the accepted forms on anything else.
 */
export function parseCheckpointSink(
  spec: string,
  slack: { client: () => webApi.WebClient; incidentChannel?: string },
): CheckpointSink {
  if (spec.startsWith('file:')) return new FileSink(spec.startsWith('file://') ? fileURLToPath(spec) : spec.slice(5));
  if (/^https?:\/\//.test(spec)) return new ObjectStoreSink(spec);
  if (spec === 'slack' || spec.startsWith('slack:')) {
    const channel = spec === 'slack' ? slack.incidentChannel : spec.slice('slack:'.length);
    if (!channel) throw new Error('AUDIT_CHECKPOINT_SINK=slack needs INCIDENT_CHANNEL (or name it: slack:C0123456789)');
    return new SlackSink(slack.client(), channel);
  }
  throw new Error(`AUDIT_CHECKPOINT_SINK "${spec}" is not a sink: use ${SINK_EXAMPLES}`);
}
