import { z } from 'zod';
import { Metadata } from './routing-objects.ts';

/** A custom resource of any kind, as read: its identity and whatever its spec and status hold (never trusted typed). */
export const CustomObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: Metadata,
  spec: z.unknown().optional(),
  status: z.unknown().optional(),
});
export type CustomObject = z.infer<typeof CustomObjectSchema>;

/** Groups Kubernetes serves itself: no dot (the core group, `apps`, `batch`…) or `*.k8s.io`. Any other is an extension. */
export const builtInGroup = (group: string): boolean => !group.includes('.') || group.endsWith('.k8s.io');
