import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ConfigError, loadConfig } from '../../src/config/env.ts';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { createUiHandler } from '../../src/ui/routes.ts';
import { uiSettingsFrom } from '../../src/ui/settings.ts';
import { type Harness, startHarness } from '../web/harness.ts';
import { seedIncidents } from './seed.ts';

// Behind an authenticating proxy: the same pages, the viewer named by headers, no browser needed.
const AUDITOR = { 'x-forwarded-email': 'auditor@example.com' };
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

let h: Harness;
let ids: { fixed: string; noticed: string; hostile: string };

before(async () => {
  h = await startHarness();
  const seeded = await seedIncidents(h);
  const hostile = await h.database.db.incident.create({
    data: {
      source: 'pagerduty',
      externalId: 'pagerduty:QHOSTILE',
      title: HOSTILE,
      url: 'javascript:alert(3)',
      alert: { source: 'pagerduty', title: HOSTILE, labels: {}, annotations: {} },
    },
  });
  await h.audit.record({
    actor: 'pagerduty',
    action: 'incident.opened',
    incidentId: hostile.id,
    justification: HOSTILE,
  });
  ids = { ...seeded, hostile: hostile.id };
  h.mountUi(
    createUiHandler({
      db: h.database.db,
      audit: h.audit,
      chainKey: new ChainKey(),
      checkpoints: null,
      settings: {
        auth: { mode: 'proxy', userHeader: 'x-forwarded-email', groupsHeader: 'x-forwarded-groups' },
        viewers: { users: ['auditor@example.com'], groups: ['compliance'] },
      },
      onError: (error) => console.error(error),
    }),
  );
});
after(() => h?.close());

const get = (path: string, headers: Record<string, string> = AUDITOR) =>
  fetch(`${h.baseUrl}${path}`, { headers, redirect: 'manual' });

test('only the viewers on the list see the pages; a refusal is audited', async () => {
  assert.equal((await get('/ui/incidents', {})).status, 401);
  const stranger = await get('/ui/incidents', { 'x-forwarded-email': 'dev@example.com', 'x-forwarded-groups': 'sre' });
  assert.equal(stranger.status, 403);
  assert.match(await stranger.text(), /dev@example\.com<\/strong>, who is not on the list/);
  const refused = await h.database.db.auditEvent.findFirstOrThrow({ where: { action: 'ui.refused' } });
  assert.equal(refused.actor, 'ui:dev@example.com');
  const member = await get('/ui/incidents', {
    'x-forwarded-email': 'cr@example.com',
    'x-forwarded-groups': 'sre, compliance',
  });
  assert.equal(member.status, 200);
  assert.equal((await get('/ui')).headers.get('location'), '/ui/incidents');
});

test('every page carries a strict CSP, has no script and escapes what it shows', async () => {
  const list = await get('/ui/incidents');
  assert.equal(list.headers.get('content-security-policy')?.startsWith("default-src 'none'"), true);
  assert.equal(list.headers.get('cache-control'), 'no-store');
  const listHtml = await list.text();
  assert.ok(listHtml.includes('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;'));
  assert.doesNotMatch(listHtml, /<script|<img/i);
  const page = await get(`/ui/incidents/${ids.hostile}`);
  const pageHtml = await page.text();
  assert.equal(page.status, 200);
  assert.doesNotMatch(pageHtml, /<script|<img|javascript:/i, 'no markup and no javascript: link from the alert');
  // Without a key and a sink the page says what the verification cannot stand for.
  assert.match(pageHtml, /AUDIT_HMAC_KEY is not set/);
  assert.match(pageHtml, /No external checkpoint to compare with \(AUDIT_CHECKPOINT_SINK is not set\)/);
  const css = await get('/ui/assets/style.css', {});
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal((await fetch(`${h.baseUrl}/ui/incidents`, { method: 'POST', headers: AUDITOR })).status, 405);
  assert.equal((await get('/ui/incidents/00000000-0000-4000-8000-000000000000')).status, 404);
});

test('the list filters by cluster and status; a filter it cannot read is a 400 that says why', async () => {
  const titles = async (query: string) => {
    const body = await (await get(`/ui/incidents?${query}`)).text();
    return [...body.matchAll(/<a href="\/ui\/incidents\/[0-9a-f-]{36}">([^<]*)<\/a>/g)].map((match) => match[1]);
  };
  assert.deepEqual(await titles('cluster=prod-eu'), ['Search p99 latency above 2s']);
  assert.deepEqual(await titles('status=resolved&changed=yes'), ['Checkout API error rate above 5%']);
  assert.equal((await titles('changed=no')).length, 2);
  assert.deepEqual(await titles('namespace=search&fault=dns&from=2000-01-01'), ['Search p99 latency above 2s']);
  assert.deepEqual(await titles('to=2000-01-01'), []);
  const bad = await get('/ui/incidents?fault=gremlins&from=yesterday');
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /from: a date, YYYY-MM-DD; fault: a fault type of the catalogue/);
});

test('downloads: the verified export as JSON and the page as Markdown, each download audited', async () => {
  const json = await get(`/ui/incidents/${ids.fixed}/record.json`);
  assert.match(json.headers.get('content-disposition') ?? '', /attachment; filename="incident-.*\.json"/);
  const record = (await json.json()) as {
    chain: { ok: boolean };
    events: { action: string; actor: string }[];
    plans: { spec: { diff: string } }[];
  };
  assert.equal(record.chain.ok, true);
  assert.match(record.plans[0]?.spec.diff ?? '', /memory: 256Mi/);
  const last = record.events.at(-1);
  assert.equal(last?.action, 'ui.downloaded', 'the download is on record in the file it gave');
  assert.equal(last?.actor, 'ui:auditor@example.com');
  const markdown = await (await get(`/ui/incidents/${ids.fixed}/record.md`)).text();
  assert.match(markdown, /\*\*Verified\*\*: all \d+ audit events/);
  assert.match(markdown, /\| Decision \| Approved by U0APPROVER \| slack:U0APPROVER \|/);
  const hostile = await (await get(`/ui/incidents/${ids.hostile}/record.md`)).text();
  assert.ok(hostile.startsWith('# \\<script\\>alert(1)\\</script\\>'), hostile.slice(0, 80));
});

test('config: OIDC needs its client, a base URL, a session secret and viewers; proxy and OIDC exclude each other', () => {
  const base = {
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 'secret',
    INCIDENT_CHANNEL: 'C1',
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x',
    REDIS_URL: 'redis://127.0.0.1:6379',
  };
  assert.equal(uiSettingsFrom(loadConfig(base)), null, 'no sign-in configured: no /ui');
  assert.throws(
    () => loadConfig({ ...base, OIDC_ISSUER_URL: 'https://sso.example.com' }),
    (error: ConfigError) =>
      ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'UI_BASE_URL', 'UI_SESSION_SECRET', 'UI_VIEWER_USERS'].every((name) =>
        error.problems.some((problem) => problem.variable === name),
      ),
  );
  assert.throws(
    () => loadConfig({ ...base, OIDC_ISSUER_URL: 'https://sso.example.com', UI_PROXY_USER_HEADER: 'X-User' }),
    /UI_PROXY_USER_HEADER: cannot be set with OIDC_ISSUER_URL/,
  );
  assert.throws(
    () => loadConfig({ ...base, UI_VIEWER_GROUPS: 'sre' }),
    /UI_VIEWER_GROUPS: is set but \/ui has no sign-in/,
  );
  const oidc = uiSettingsFrom(
    loadConfig({
      ...base,
      OIDC_ISSUER_URL: 'https://sso.example.com/realms/main',
      OIDC_CLIENT_ID: 'incident-bot',
      OIDC_CLIENT_SECRET: 's',
      UI_BASE_URL: 'https://bot.example.com/',
      UI_SESSION_SECRET: 'x'.repeat(32),
      UI_VIEWER_USERS: 'a@example.com',
    }),
  );
  assert.equal(oidc?.auth.mode === 'oidc' && oidc.auth.oidc.redirectUri, 'https://bot.example.com/ui/auth/callback');
  assert.equal(oidc?.auth.mode === 'oidc' && oidc.auth.secureCookies, true);
});

test('a plan row that no longer fits its schema is named on the page, not a 500 that hides the incident', async () => {
  const plan = await h.database.db.plan.findFirstOrThrow({ where: { incidentId: ids.fixed } });
  await h.database.db.plan.update({ where: { id: plan.id }, data: { spec: { diff: 42 } } });
  const page = await get(`/ui/incidents/${ids.fixed}`);
  assert.equal(page.status, 200);
  const body = await page.text();
  assert.match(body, new RegExp(`Unreadable: plan ${plan.id}: its spec as stored does not match its schema`));
  assert.match(body, /Verified/);
  const record = (await (await get(`/ui/incidents/${ids.fixed}/record.json`)).json()) as {
    plans: { spec: unknown; action: unknown; unreadable: string | null }[];
  };
  assert.equal(record.plans[0]?.spec, null);
  assert.equal(record.plans[0]?.action, null);
});
