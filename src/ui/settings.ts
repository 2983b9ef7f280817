import type { Config } from '../config/env.ts';
import type { OidcSettings } from './auth/oidc.ts';
import type { ViewerAllowList } from './auth/viewer.ts';

/** How people prove who they are to /ui: our own OIDC sign-in, or the headers of a proxy that already did it. */
export type UiAuth =
  | { mode: 'oidc'; oidc: OidcSettings; sessionSecret: string; sessionHours: number; secureCookies: boolean }
  | { mode: 'proxy'; userHeader: string; groupsHeader: string | null };

export interface UiSettings {
  auth: UiAuth;
  viewers: ViewerAllowList;
}

export type UiConfig = Pick<
  Config,
  | 'UI_BASE_URL'
  | 'OIDC_ISSUER_URL'
  | 'OIDC_CLIENT_ID'
  | 'OIDC_CLIENT_SECRET'
  | 'OIDC_GROUPS_CLAIM'
  | 'UI_SESSION_SECRET'
  | 'UI_SESSION_HOURS'
  | 'UI_PROXY_USER_HEADER'
  | 'UI_PROXY_GROUPS_HEADER'
  | 'UI_VIEWER_USERS'
  | 'UI_VIEWER_GROUPS'
>;

/** The /ui settings, or null when no sign-in is configured (then /ui is not served). loadConfig checked the rest. */
export function uiSettingsFrom(config: UiConfig): UiSettings | null {
  const viewers = { users: config.UI_VIEWER_USERS ?? [], groups: config.UI_VIEWER_GROUPS ?? [] };
  if (config.UI_PROXY_USER_HEADER)
    return {
      auth: {
        mode: 'proxy',
        userHeader: config.UI_PROXY_USER_HEADER.toLowerCase(),
        groupsHeader: config.UI_PROXY_GROUPS_HEADER?.toLowerCase() ?? null,
      },
      viewers,
    };
  if (!config.OIDC_ISSUER_URL || !config.OIDC_CLIENT_ID || !config.OIDC_CLIENT_SECRET) return null;
  if (!config.UI_BASE_URL || !config.UI_SESSION_SECRET) return null;
  const base = config.UI_BASE_URL.replace(/\/+$/, '');
  return {
    auth: {
      mode: 'oidc',
      oidc: {
        issuer: new URL(config.OIDC_ISSUER_URL),
        clientId: config.OIDC_CLIENT_ID,
        clientSecret: config.OIDC_CLIENT_SECRET,
        redirectUri: `${base}/ui/auth/callback`,
        groupsClaim: config.OIDC_GROUPS_CLAIM,
      },
      sessionSecret: config.UI_SESSION_SECRET,
      sessionHours: config.UI_SESSION_HOURS,
      secureCookies: base.startsWith('https://'),
    },
    viewers,
  };
}
