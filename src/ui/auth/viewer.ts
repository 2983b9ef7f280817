import { z } from 'zod';

/** Who is looking at the pages, as the identity provider (or the authenticating proxy) named them. */
export const ViewerSchema = z.object({
  /** The OIDC subject, or the user the proxy named. */
  subject: z.string().min(1),
  email: z.string().optional(),
  name: z.string().optional(),
  groups: z.array(z.string()),
});
export type Viewer = z.infer<typeof ViewerSchema>;

/** Who may view: users by email or subject, or members of a group. */
export interface ViewerAllowList {
  users: string[];
  groups: string[];
}

/** How the viewer is named in the audit trail and on the page. */
export const viewerLabel = (viewer: Viewer): string => viewer.email ?? viewer.subject;

export function mayView(viewer: Viewer, allow: ViewerAllowList): boolean {
  // Emails are compared without case (IdPs differ in how they case them); subjects are opaque and exact.
  const email = viewer.email?.toLowerCase();
  const user = allow.users.some((entry) => entry === viewer.subject || entry.toLowerCase() === email);
  return user || viewer.groups.some((group) => allow.groups.includes(group));
}
