import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { takeCheckpoint } from '../../src/audit/checkpoint.ts';
import { parseCheckpointSink } from '../../src/audit/checkpoint-sink.ts';
import { createUiHandler } from '../../src/ui/routes.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';
import { type Harness, startHarness } from '../web/harness.ts';
import { seedIncidents } from './seed.ts';

// Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it), driven by playwright-core.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AUDIT_KEY = 'ui-browser-test-key-0123456789abcdef0123456789';
/** Set to a path (e.g. docs/incident-page.png) to write the README's screenshot of the incident page there. */
const SCREENSHOT = process.env.UI_SCREENSHOT;

let h: Harness;
let idp: TestOidcProvider;
let browser: Browser;
let dir: string;
let ids: { fixed: string; noticed: string };

before(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  dir = await mkdtemp(join(tmpdir(), 'ib-ui-'));
  h = await startHarness({ auditKey: AUDIT_KEY });
  ids = await seedIncidents(h);
  const chainKey = new ChainKey(AUDIT_KEY);
  const sink = parseCheckpointSink(`file:${join(dir, 'checkpoints.jsonl')}`, {
    client: () => {
      throw new Error('a file sink needs no Slack');
    },
  });
  await sink.write(await takeCheckpoint(h.database.db, chainKey));
  idp = await startOidcProvider(`${h.baseUrl}/ui/auth/callback`, [
    { login: 'auditor@example.com', name: 'Ada Auditor', groups: ['compliance'] },
    { login: 'intruder@example.com', name: 'Ivan Intruder', groups: ['engineering'] },
  ]);
  h.mountUi(
    createUiHandler({
      db: h.database.db,
      audit: h.audit,
      chainKey,
      checkpoints: sink,
      settings: {
        auth: {
          mode: 'oidc',
          oidc: {
            issuer: new URL(idp.issuer),
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
            redirectUri: `${h.baseUrl}/ui/auth/callback`,
            groupsClaim: 'groups',
          },
          sessionSecret: 'ui-browser-test-session-secret-0123456789',
          sessionHours: 1,
          secureCookies: false,
        },
        viewers: { users: [], groups: ['compliance'] },
      },
      onError: (error) => console.error(error),
    }),
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await idp?.close();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

/** At the identity provider's (development) login page: any password, then its consent page. */
async function signInAtProvider(page: Page, login: string) {
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
  await page.click('button:has-text("Continue")');
}

/** The text of the first element matching `selector`, white space collapsed. */
const textOf = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ');

let auditor: Page;

test('a page reached without a session redirects to sign-in, and signing in comes back to it', async () => {
  auditor = await (await browser.newContext()).newPage();
  await auditor.goto(`${h.baseUrl}/ui/incidents/${ids.fixed}`);
  assert.ok(auditor.url().startsWith(`${idp.issuer}/interaction/`), `at the provider's login: ${auditor.url()}`);
  await signInAtProvider(auditor, 'auditor@example.com');
  await auditor.waitForURL(`${h.baseUrl}/ui/incidents/${ids.fixed}`);
  assert.match(await textOf(auditor, 'header'), /signed in as auditor@example\.com/);
  const signedIn = await h.database.db.auditEvent.findFirst({ where: { action: 'ui.signed_in' } });
  assert.equal(signedIn?.actor, 'ui:auditor@example.com');
});

test('the list filters; an incident shows its timeline, links and "Verified"; each view is audited', async () => {
  await auditor.goto(`${h.baseUrl}/ui/incidents`);
  assert.equal(await auditor.locator('table.incidents tbody tr').count(), 2);
  await auditor.selectOption('select[name=fault]', 'oom-limit');
  await auditor.selectOption('select[name=changed]', 'yes');
  await auditor.fill('input[name=namespace]', 'payments');
  await auditor.click('form.filters button[type=submit]');
  await auditor.waitForURL(/fault=oom-limit/);
  const rows = auditor.locator('table.incidents tbody tr');
  assert.equal(await rows.count(), 1);
  const row = ((await rows.first().textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(row, /Checkout API error rate above 5%/);
  assert.match(row, /Deployment payments\/checkout/);
  assert.match(row, /\b\d+s\b/, 'a time to answer');
  assert.match(row, /change applied and verified · resolved/);

  await auditor.click('text=Checkout API error rate above 5%');
  await auditor.waitForURL(`${h.baseUrl}/ui/incidents/${ids.fixed}`);
  assert.match(await textOf(auditor, '#integrity'), /Verified[\s\S]*checkpoint/);
  const timeline = await textOf(auditor, 'table.timeline');
  for (const step of [
    /Alert: Checkout API error rate above 5%/,
    /Hypothesis added: Deployment payments\/checkout \(oom-limit, 60%\)/,
    /Answer: Deployment payments\/checkout \(oom-limit, 92%\)/,
    /Plan proposed \(risk low, 1 approval needed\)/,
    /Approved by U0APPROVER/,
    /Verification passed: rollout complete/,
    /Plan succeeded/,
    /Resolved in pagerduty/,
  ])
    assert.match(timeline, step);
  assert.match(await textOf(auditor, 'main'), /Raise the memory limit[\s\S]*memory: 256Mi/);
  assert.equal(
    await auditor.getAttribute('a:has-text("PagerDuty incident")', 'href'),
    'https://acme.pagerduty.com/incidents/Q1UIAUDIT',
  );
  assert.equal(
    await auditor.getAttribute('a:has-text("Slack thread")', 'href'),
    'https://slack.com/archives/CINCIDENTS/p1765000000000100',
  );
  if (SCREENSHOT) await auditor.screenshot({ path: SCREENSHOT, fullPage: true });

  const views = await h.database.db.auditEvent.findMany({
    where: { action: 'ui.viewed', actor: 'ui:auditor@example.com' },
    orderBy: { seq: 'asc' },
  });
  assert.deepEqual(
    views.map((view) => view.target),
    [`incident:${ids.fixed}`, 'incidents', 'incidents', `incident:${ids.fixed}`],
  );
});

test('a row edited by a database superuser is named on the page', async () => {
  const { db } = h.database;
  const approval = await db.auditEvent.findFirstOrThrow({ where: { action: 'plan.approval', incidentId: ids.fixed } });
  // What only a superuser can do: the append-only trigger refuses it otherwise.
  await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER');
  await db.$executeRawUnsafe(`UPDATE "AuditEvent" SET actor = 'slack:U0SOMEONEELSE' WHERE seq = ${approval.seq}`);
  await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER');
  await auditor.reload();
  const integrity = await textOf(auditor, '#integrity');
  assert.match(integrity, /Not verified/);
  assert.match(integrity, new RegExp(`seq ${approval.seq} edited`));
  assert.match(await textOf(auditor, 'table.timeline tr.problem'), /slack:U0SOMEONEELSE/);
});

test('a viewer not on the list is refused, and the refusal is audited', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${h.baseUrl}/ui/incidents`);
  await signInAtProvider(page, 'intruder@example.com');
  await page.waitForURL(`${h.baseUrl}/ui/auth/callback?**`);
  assert.match(await textOf(page, 'main'), /Not allowed[\s\S]*intruder@example\.com/);
  const cookies = await context.cookies(h.baseUrl);
  assert.deepEqual(
    cookies.filter((cookie) => cookie.name.startsWith('ib_ui_') && cookie.value),
    [],
    'no session for a refused viewer',
  );
  const refused = await h.database.db.auditEvent.findFirst({ where: { action: 'ui.refused' } });
  assert.equal(refused?.actor, 'ui:intruder@example.com');
});
