import { z } from 'zod';
import type { Plain, SecretShape } from '../evidence/snapshot.ts';
import { LIST_BUDGET, listKind } from './kinds.ts';
import { defineTool } from './tool.ts';

type Metadata = NonNullable<SecretShape['metadata']>;

/** What is kept of a Secret listed for its changes: who wrote it and when, and what owns it — never a value. */
export interface SecretChange {
  metadata: Plain<
    Pick<Metadata, 'name' | 'namespace' | 'uid' | 'creationTimestamp' | 'labels' | 'ownerReferences'> & {
      managedFields?: Pick<
        NonNullable<Metadata['managedFields']>[number],
        'manager' | 'operation' | 'time' | 'subresource'
      >[];
    }
  >;
}

/**
 * When each Secret of a namespace was created and last written, by which manager, and what owns it: the one question a
 * rotated or re-synced credential leaves for the investigation (`what changed shortly before?`), asked of the
 * metadata alone (a PartialObjectMetadataList: no `data`). Annotations are dropped whole — a client's last-applied
 * annotation repeats the data in clear — and so are the managed fields' field sets: only names, times and owners stay.
 */
export const secretChanges = defineTool({
  name: 'secret_changes',
  description:
    "When each Secret of a namespace was created and last written, by whom (managedFields' manager), and what owns it " +
    '(ownerReferences): metadata only, never a value or an annotation.',
  args: z.object({ namespace: z.string().min(1) }),
  target: (args) => `Secret/${args.namespace}`,
  async execute(args, ctx): Promise<{ items: SecretChange[]; complete: boolean }> {
    const listed = await listKind(
      ctx.kubeConfig,
      'Secret',
      { namespace: args.namespace, metadataOnly: true },
      ctx.listBudget ?? LIST_BUDGET,
    );
    return { items: listed.items.map(changeOf), complete: listed.complete };
  },
});

function changeOf(secret: SecretShape): SecretChange {
  const { name, namespace, uid, creationTimestamp, labels, ownerReferences, managedFields } = secret.metadata ?? {};
  return {
    metadata: {
      ...(name ? { name } : {}),
      ...(namespace ? { namespace } : {}),
      ...(uid ? { uid } : {}),
      ...(creationTimestamp ? { creationTimestamp } : {}),
      ...(labels ? { labels } : {}),
      ...(ownerReferences ? { ownerReferences } : {}),
      ...(managedFields
        ? {
            managedFields: managedFields.map(({ manager, operation, time, subresource }) => ({
              ...(manager ? { manager } : {}),
              ...(operation ? { operation } : {}),
              ...(time ? { time } : {}),
              ...(subresource ? { subresource } : {}),
            })),
          }
        : {}),
    },
  };
}
