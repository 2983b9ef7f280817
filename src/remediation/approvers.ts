import type { webApi } from '@slack/bolt';

/**
 * Who may approve or reject plans: the configured user ids plus the members of the configured
 * user group, looked up at each decision so that a removal from the group takes effect at once.
 * With neither configured nobody may approve (fail closed).
 */
export class Approvers {
  constructor(
    private readonly slack: webApi.WebClient,
    private readonly userIds: readonly string[],
    private readonly usergroupId?: string,
  ) {}

  async includes(userId: string): Promise<boolean> {
    if (this.userIds.includes(userId)) return true;
    if (!this.usergroupId) return false;
    const response = await this.slack.usergroups.users.list({ usergroup: this.usergroupId });
    return (response.users ?? []).includes(userId);
  }
}
