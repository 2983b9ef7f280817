import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditEntry, AuditLog } from '../audit/audit-log.ts';
import type { ChainKey } from '../audit/chain-key.ts';
import type { Checkpoint } from '../audit/checkpoint.ts';
import type { CheckpointSink } from '../audit/checkpoint-sink.ts';
import { eventJson, readIncidentRecord, recordJson } from '../audit/export.ts';
import { buildTimeline } from '../audit/timeline.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { errorMessage } from '../observability/error-message.ts';
import { type Authenticator, createAuthenticator, returnPath, SignInExpiredError } from './auth/authenticate.ts';
import { mayView, type Viewer, viewerLabel } from './auth/viewer.ts';
import { html, type SafeHtml } from './html.ts';
import { listIncidents, parseFilter } from './incident-list.ts';
import { incidentMarkdown } from './incident-markdown.ts';
import { incidentView } from './incident-view.ts';
import { CONTENT_SECURITY_POLICY, page, STYLESHEET, STYLESHEET_PATH } from './layout.ts';
import { incidentListBody } from './pages/incident-list-page.ts';
import { incidentPageBody } from './pages/incident-page.ts';
import type { UiSettings } from './settings.ts';

export interface UiDeps {
  db: PrismaClient;
  audit: AuditLog;
  chainKey: ChainKey;
  /** Where the latest checkpoint is read back from (AUDIT_CHECKPOINT_SINK); null when none is configured. */
  checkpoints: CheckpointSink | null;
  settings: UiSettings;
  onError: (error: Error) => void;
  now?: () => Date;
}

/** Every page under /ui except the stylesheet needs a viewer on the allow-list. */
export const UI_PREFIX = '/ui';

const INCIDENT_PATH = /^\/ui\/incidents\/([0-9a-f-]{36})(?:\/record\.(json|md))?$/;

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  // Audit records are not for shared caches or the back button of a shared machine.
  'cache-control': 'no-store',
};

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string | string[]> = {},
) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...headers });
  res.end(body);
}

const sendPage = (res: ServerResponse, status: number, body: SafeHtml) =>
  send(res, status, 'text/html; charset=utf-8', body.value);

function redirect(res: ServerResponse, location: string, cookies: string[] = []) {
  res.writeHead(302, { ...SECURITY_HEADERS, location, ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}) });
  res.end();
}

const message = (title: string, text: SafeHtml | string, link?: { href: string; label: string }) =>
  page(
    { title },
    html`<h1>${title}</h1><p>${text}</p>${link && html`<p><a href="${link.href}">${link.label}</a></p>`}`,
  );

/** A signed-in viewer's request, with the page frame that names them. */
interface ViewerRequest {
  res: ServerResponse;
  url: URL;
  viewer: Viewer;
  frame: { viewer: string; signOut: boolean };
}

/** The pages a viewer on the allow-list may read, first match wins; anything else is a 404. */
const VIEWER_ROUTES: {
  path: RegExp;
  show: (pages: UiPages, request: ViewerRequest, match: RegExpExecArray) => unknown;
}[] = [
  { path: /^\/ui\/?$/, show: (_pages, { res }) => redirect(res, '/ui/incidents') },
  { path: /^\/ui\/incidents$/, show: (pages, request) => pages.incidentList(request) },
  {
    path: INCIDENT_PATH,
    show: (pages, request, match) => pages.incident(request, match[1]!, match[2] as 'json' | 'md' | undefined),
  },
];

/** The auditor's read-only pages: GET only (and the sign-out form), every view written to the audit trail. */
export function createUiHandler(deps: UiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const pages = new UiPages(deps);
  return (req, res) => {
    pages.handle(req, res).catch((error: Error) => {
      deps.onError(error);
      if (!res.headersSent)
        sendPage(
          res,
          500,
          message('Something went wrong', "The page could not be shown; the error is in the web role's log."),
        );
      else res.end();
    });
  };
}

class UiPages {
  private readonly auth: Authenticator;
  private readonly now: () => Date;

  constructor(private readonly deps: UiDeps) {
    this.auth = createAuthenticator(deps.settings.auth);
    this.now = deps.now ?? (() => new Date());
  }

  private actor = (viewer: Viewer) => `ui:${viewerLabel(viewer)}`;
  private record = (entry: AuditEntry) => this.deps.audit.record(entry);

  /** What needs no viewer (stylesheet, sign-in and sign-out), then the viewer check, then the viewer routes. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === STYLESHEET_PATH)
      return send(res, 200, 'text/css; charset=utf-8', STYLESHEET, { 'cache-control': 'max-age=3600' });
    if (req.method === 'POST' && path === '/ui/sign-out') return this.signOut(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain; charset=utf-8', 'read-only pages: GET only', { allow: 'GET, HEAD' });
    if (this.auth.mode === 'oidc' && path === '/ui/sign-in') return this.signIn(res, url);
    if (this.auth.mode === 'oidc' && path === '/ui/auth/callback') return this.callback(req, res, url);

    const viewer = this.auth.viewer(req, this.now());
    if (!viewer) return this.notSignedIn(res, url);
    if (!mayView(viewer, this.deps.settings.viewers)) return this.refuse(res, viewer, path);
    const request = {
      res,
      url,
      viewer,
      frame: { viewer: viewerLabel(viewer), signOut: this.auth.mode === 'oidc' },
    };
    for (const route of VIEWER_ROUTES) {
      const match = route.path.exec(path);
      if (match) {
        await route.show(this, request, match);
        return;
      }
    }
    sendPage(
      res,
      404,
      page(
        { title: 'Not found', ...request.frame },
        html`<h1>Not found</h1><p>No page at ${path}.</p><p><a href="/ui/incidents">Incidents</a></p>`,
      ),
    );
  }

  private notSignedIn(res: ServerResponse, url: URL) {
    if (this.auth.mode === 'oidc')
      return redirect(res, `/ui/sign-in?${new URLSearchParams({ return: `${url.pathname}${url.search}` })}`);
    const header = this.deps.settings.auth.mode === 'proxy' ? this.deps.settings.auth.userHeader : '';
    sendPage(res, 401, message('Not signed in', `The authenticating proxy sent no ${header} header.`));
  }

  async incidentList({ res, url, viewer, frame }: ViewerRequest) {
    const parsed = parseFilter(url.searchParams);
    const filter = 'filter' in parsed ? parsed.filter : Object.fromEntries(url.searchParams);
    await this.record({ actor: this.actor(viewer), action: 'ui.viewed', target: 'incidents', details: { filter } });
    const result = 'filter' in parsed ? await listIncidents(this.deps.db, parsed.filter) : parsed;
    sendPage(
      res,
      'error' in result ? 400 : 200,
      page({ title: 'Incidents', ...frame }, incidentListBody(filter, result)),
    );
  }

  /** One incident: its page, or its record as JSON or Markdown. */
  async incident({ res, viewer, frame }: ViewerRequest, incidentId: string, format: 'json' | 'md' | undefined) {
    const exists = await this.deps.db.incident.findUnique({ where: { id: incidentId }, select: { id: true } });
    if (!exists)
      return sendPage(
        res,
        404,
        page(
          { title: 'Not found', ...frame },
          html`<h1>No incident ${incidentId}</h1><p><a href="/ui/incidents">Incidents</a></p>`,
        ),
      );
    // Recorded before the chain is read, so the page (and the download) shows this very view, verified.
    await this.record({
      actor: this.actor(viewer),
      action: format ? 'ui.downloaded' : 'ui.viewed',
      target: `incident:${incidentId}`,
      incidentId,
      ...(format ? { details: { format } } : {}),
    });
    const { checkpoint, source } = await this.latestCheckpoint();
    const [found, investigations] = await Promise.all([
      readIncidentRecord(this.deps.db, incidentId, this.deps.chainKey, checkpoint),
      this.deps.db.investigation.findMany({
        where: { incidentId },
        orderBy: { createdAt: 'asc' },
        select: { status: true, result: true, finishedAt: true },
      }),
    ]);
    if (!found) throw new Error(`incident ${incidentId} vanished while it was read`);
    const view = incidentView(found, investigations, { checkpointSource: source, keyed: this.deps.chainKey.keyed });
    const story = buildTimeline(incidentId, found.events.map(eventJson));
    const at = this.now();
    const file = `incident-${incidentId}`;
    if (format === 'json') {
      const body = JSON.stringify(
        recordJson(found, at),
        (_key, value) => (typeof value === 'bigint' ? value.toString() : value),
        2,
      );
      return send(res, 200, 'application/json; charset=utf-8', `${body}\n`, {
        'content-disposition': `attachment; filename="${file}.json"`,
      });
    }
    if (format === 'md')
      return send(res, 200, 'text/markdown; charset=utf-8', incidentMarkdown(view, story, at, viewerLabel(viewer)), {
        'content-disposition': `attachment; filename="${file}.md"`,
      });
    sendPage(res, 200, page({ title: found.incident.title, ...frame }, incidentPageBody(view, story)));
  }

  /** The newest checkpoint outside Postgres; a sink that cannot be read is said so on the page, not hidden. */
  private async latestCheckpoint(): Promise<{ checkpoint: Checkpoint | null; source: string }> {
    if (!this.deps.checkpoints) return { checkpoint: null, source: 'AUDIT_CHECKPOINT_SINK is not set' };
    try {
      return { checkpoint: await this.deps.checkpoints.latest(), source: this.deps.checkpoints.description };
    } catch (error) {
      return {
        checkpoint: null,
        source: `${this.deps.checkpoints.description}, which could not be read: ${errorMessage(error)}`,
      };
    }
  }

  private async refuse(res: ServerResponse, viewer: Viewer, path: string) {
    await this.record({
      actor: this.actor(viewer),
      action: 'ui.refused',
      target: path,
      justification: 'not on the viewer list',
      details: { groups: viewer.groups },
    });
    sendPage(
      res,
      403,
      message(
        'Not allowed',
        html`You are signed in as <strong>${viewerLabel(viewer)}</strong>, who is not on the list of viewers of these pages. Ask the incident-bot administrators to add you (UI_VIEWER_USERS or UI_VIEWER_GROUPS).`,
      ),
    );
  }

  private async signIn(res: ServerResponse, url: URL) {
    const target = await this.auth.beginSignIn!(res, returnPath(url.searchParams.get('return')), this.now());
    redirect(res, target.href);
  }

  private async callback(req: IncomingMessage, res: ServerResponse, url: URL) {
    const again = { href: '/ui/sign-in', label: 'Sign in again' };
    if (url.searchParams.has('error'))
      return sendPage(
        res,
        401,
        message(
          'Sign-in failed',
          `The identity provider answered: ${url.searchParams.get('error_description') ?? url.searchParams.get('error')}`,
          again,
        ),
      );
    let signedIn: Awaited<ReturnType<NonNullable<Authenticator['completeSignIn']>>>;
    try {
      signedIn = await this.auth.completeSignIn!(req, url.search, this.now());
    } catch (error) {
      if (!(error instanceof SignInExpiredError)) this.deps.onError(error as Error);
      return sendPage(res, 401, message('Sign-in failed', errorMessage(error), again));
    }
    const { viewer, pending } = signedIn;
    if (!mayView(viewer, this.deps.settings.viewers)) {
      res.setHeader('set-cookie', this.auth.endSession!());
      return this.refuse(res, viewer, '/ui/auth/callback');
    }
    await this.record({
      actor: this.actor(viewer),
      action: 'ui.signed_in',
      details: { subject: viewer.subject, groups: viewer.groups },
    });
    // Only the groups that grant access are kept: the cookie stays small whatever the IdP lists.
    const kept = {
      ...viewer,
      groups: viewer.groups.filter((group) => this.deps.settings.viewers.groups.includes(group)),
    };
    redirect(res, pending.returnTo, this.auth.startSession!(kept, this.now()));
  }

  private async signOut(req: IncomingMessage, res: ServerResponse) {
    const viewer = this.auth.viewer(req, this.now());
    if (viewer) await this.record({ actor: this.actor(viewer), action: 'ui.signed_out' });
    const body = message('Signed out', 'You are signed out of the incident-bot audit pages.', {
      href: '/ui/incidents',
      label: 'Sign in again',
    });
    send(
      res,
      200,
      'text/html; charset=utf-8',
      body.value,
      this.auth.endSession ? { 'set-cookie': this.auth.endSession() } : {},
    );
  }
}
