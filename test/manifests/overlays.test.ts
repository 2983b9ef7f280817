import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/env.ts';
import { restrictedViolations } from './pod-security.ts';
import {
  type Container,
  componentNames,
  MANIFESTS,
  type Overlay,
  type PodTemplate,
  podTemplates,
  type Rendered,
  renderOverlays,
  schemaProblems,
  selects,
} from './render.ts';

let overlays: Overlay[];
let secretExample: Record<string, string>;
let secretKeys: string[];
before(async () => {
  overlays = await renderOverlays();
  const example = parse(await readFile(join(MANIFESTS, 'secret.example.yaml'), 'utf8')) as {
    stringData: Record<string, string>;
  };
  secretExample = example.stringData;
  secretKeys = Object.keys(secretExample);
});

const ofKind = (overlay: Overlay, kind: string) => overlay.objects.filter((object) => object.kind === kind);
const containersOf = (template: PodTemplate): Container[] => [
  ...(template.spec.initContainers ?? []),
  ...template.spec.containers,
];
const role = (template: PodTemplate) =>
  template.spec.containers[0]?.env?.find((variable) => variable.name === 'ROLE')?.value;
/** Every check runs on every overlay; a failure names the overlay and the object. */
const eachOverlay = (check: (overlay: Overlay) => void | Promise<void>) => async () => {
  assert.ok(overlays.length >= 4, 'expected the overlays http, socket-mode, full and locked-down at least');
  for (const overlay of overlays) await check(overlay);
};

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}
/** The rules each ServiceAccount is granted through the overlay's (Cluster)RoleBindings. */
function grants(overlay: Overlay): Map<string, Rule[]> {
  const roles = new Map(
    [...ofKind(overlay, 'ClusterRole'), ...ofKind(overlay, 'Role')].map((role) => [
      `${role.kind}/${role.metadata.name}`,
      (role.rules ?? []) as Rule[],
    ]),
  );
  const granted = new Map<string, Rule[]>();
  for (const binding of [...ofKind(overlay, 'ClusterRoleBinding'), ...ofKind(overlay, 'RoleBinding')]) {
    const roleRef = binding.roleRef as { kind: string; name: string };
    const rules = roles.get(`${roleRef.kind}/${roleRef.name}`);
    assert.ok(rules, `${overlay.name}: ${binding.metadata.name} binds ${roleRef.kind} ${roleRef.name}, not rendered`);
    for (const subject of binding.subjects as { kind: string; name: string }[]) {
      if (subject.kind !== 'ServiceAccount') continue;
      granted.set(subject.name, [...(granted.get(subject.name) ?? []), ...rules]);
    }
  }
  return granted;
}
const grantsOn = (rules: Rule[], resource: string, group = '') =>
  rules
    .filter((rule) => rule.apiGroups?.some((g) => g === group || g === '*'))
    .filter((rule) => rule.resources?.some((r) => r === resource || r === '*'))
    .flatMap((rule) => rule.verbs ?? []);
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', '*'];

interface PolicyPeer {
  podSelector?: unknown;
  namespaceSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: unknown;
}
interface Policy {
  podSelector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values: string[] }[];
  };
  policyTypes: string[];
  egress?: { to?: PolicyPeer[]; ports?: { port: number | string }[] }[];
  ingress?: { from?: PolicyPeer[]; ports?: { port: number | string }[] }[];
}
const policySelects = (policy: Policy, labels: Record<string, string>) =>
  selects(policy.podSelector.matchLabels ?? {}, labels) &&
  (policy.podSelector.matchExpressions ?? []).every(
    (expression) => expression.operator === 'In' && expression.values.includes(labels[expression.key] ?? ''),
  );

describe('manifests: every overlay under manifests/overlays, rendered by kubectl kustomize', () => {
  it('uses every component in at least one overlay', async () => {
    const used = new Set(overlays.flatMap((overlay) => overlay.components));
    assert.deepEqual(
      (await componentNames()).filter((name) => !used.has(name)),
      [],
    );
  });

  it(
    'renders objects that are valid against the Kubernetes schemas (kubernetes-models)',
    eachOverlay(async (overlay) => {
      for (const object of overlay.objects) {
        const problems = await schemaProblems(object);
        assert.deepEqual(problems, [], `${overlay.name}: ${object.kind} ${object.metadata.name}`);
      }
    }),
  );

  it(
    'runs every pod under the PodSecurity "restricted" profile, root filesystem read-only, /tmp an emptyDir',
    eachOverlay((overlay) => {
      const namespace = ofKind(overlay, 'Namespace')[0] as Rendered & { metadata: { labels?: Record<string, string> } };
      assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted', overlay.name);
      const templates = podTemplates(overlay.objects);
      assert.ok(templates.length >= 2, `${overlay.name}: expected the web and worker pods at least`);
      for (const template of templates) {
        const where = `${overlay.name}: ${template.owner.metadata.name}`;
        assert.deepEqual(restrictedViolations(template.spec), [], where);
        const emptyDirs = new Set(
          (template.spec.volumes ?? []).filter((volume) => 'emptyDir' in volume).map((volume) => volume.name),
        );
        for (const container of containersOf(template)) {
          assert.equal(container.securityContext?.readOnlyRootFilesystem, true, `${where}/${container.name}`);
          const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
          assert.ok(tmp && emptyDirs.has(tmp.name), `${where}/${container.name}: /tmp is not an emptyDir`);
        }
      }
    }),
  );

  it(
    'gives every container resources, and every long-running one startup, readiness and liveness probes on its ports',
    eachOverlay((overlay) => {
      for (const template of podTemplates(overlay.objects)) {
        for (const container of containersOf(template)) {
          const where = `${overlay.name}: ${template.owner.metadata.name}/${container.name}`;
          assert.ok(container.resources?.requests?.cpu && container.resources.requests.memory, `${where}: requests`);
          assert.ok(container.resources?.limits?.memory, `${where}: memory limit`);
        }
        for (const container of template.spec.containers) {
          const where = `${overlay.name}: ${template.owner.metadata.name}/${container.name}`;
          const ports = new Set((container.ports ?? []).map((port) => port.name));
          for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
            const get = container[probe]?.httpGet;
            assert.ok(get, `${where}: no ${probe}`);
            assert.ok(ports.has(String(get.port)), `${where}: ${probe} on undeclared port ${get.port}`);
          }
          assert.equal(container.readinessProbe?.httpGet?.path, '/readyz', where);
          assert.ok(ports.has('metrics'), `${where}: no metrics port`);
        }
      }
    }),
  );

  it(
    'takes credentials only from the existing incident-bot Secret, key by key (secretKeyRef), never from literals',
    eachOverlay((overlay) => {
      assert.deepEqual(ofKind(overlay, 'Secret'), [], `${overlay.name}: renders a Secret`);
      for (const configMap of ofKind(overlay, 'ConfigMap')) {
        const keys = Object.keys((configMap.data ?? {}) as Record<string, string>);
        assert.deepEqual(
          keys.filter((key) => secretKeys.includes(key)),
          [],
          `${overlay.name}: credentials in a ConfigMap`,
        );
      }
      for (const template of podTemplates(overlay.objects)) {
        for (const container of containersOf(template)) {
          const where = `${overlay.name}: ${template.owner.metadata.name}/${container.name}`;
          assert.ok(!container.envFrom?.some((source) => source.secretRef), `${where}: envFrom a whole Secret`);
          for (const variable of container.env ?? []) {
            const ref = variable.valueFrom?.secretKeyRef;
            if (ref) {
              assert.equal(variable.value, undefined, `${where}: ${variable.name} has a literal value too`);
              assert.equal(ref.name, 'incident-bot', `${where}: ${variable.name}`);
              assert.ok(secretKeys.includes(ref.key), `${where}: key ${ref.key} is not in secret.example.yaml`);
            } else {
              assert.ok(['ROLE', 'PORT'].includes(variable.name), `${where}: ${variable.name} is a literal`);
            }
          }
        }
      }
    }),
  );

  it(
    'gives every role the configuration it starts with, optional Secret keys absent, and no variable it ignores',
    eachOverlay((overlay) => {
      const configMaps = new Map(
        ofKind(overlay, 'ConfigMap').map((map) => [map.metadata.name, (map.data ?? {}) as Record<string, string>]),
      );
      for (const template of podTemplates(overlay.objects)) {
        for (const container of template.spec.containers) {
          // The environment the kubelet builds: envFrom first, then env; a required key from the Secret example.
          const env: Record<string, string> = {};
          for (const source of container.envFrom ?? []) Object.assign(env, configMaps.get(source.configMapRef!.name));
          for (const variable of container.env ?? []) {
            const ref = variable.valueFrom?.secretKeyRef;
            if (ref && !ref.optional) env[variable.name] = secretExample[ref.key]!;
            else if (variable.value !== undefined) env[variable.name] = variable.value;
          }
          assert.doesNotThrow(() => loadConfig(env), `${overlay.name}: ${template.owner.metadata.name}`);
          const names = [...Object.keys(env), ...(container.env ?? []).map((variable) => variable.name)];
          assert.deepEqual(
            names.filter((name) => !(name in CONFIG_VARIABLES)),
            [],
            `${overlay.name}: ${template.owner.metadata.name} sets variables the bot does not read (a typo?)`,
          );
        }
      }
    }),
  );

  it(
    'has a PodDisruptionBudget that keeps a web pod up',
    eachOverlay((overlay) => {
      const web = podTemplates(overlay.objects).find((template) => role(template) === 'web');
      assert.ok(web, `${overlay.name}: no web Deployment`);
      const budgets = ofKind(overlay, 'PodDisruptionBudget').filter((budget) =>
        selects(
          (budget.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
          web.labels,
        ),
      );
      assert.equal(budgets.length, 1, overlay.name);
      const minAvailable = (budgets[0]!.spec as { minAvailable: number }).minAvailable;
      const replicas = (web.owner.spec as { replicas: number }).replicas;
      assert.ok(minAvailable >= 1 && minAvailable < replicas, `${overlay.name}: ${minAvailable} of ${replicas}`);
    }),
  );

  it(
    'uses Socket Mode (app-level token) with the socket-mode component and HTTP (signing secret) without',
    eachOverlay((overlay) => {
      const socketMode = overlay.components.includes('socket-mode');
      for (const template of podTemplates(overlay.objects)) {
        const names = (template.spec.containers[0]?.env ?? []).map((variable) => variable.name);
        const where = `${overlay.name}: ${template.owner.metadata.name}`;
        assert.equal(names.includes('SLACK_APP_TOKEN'), socketMode, where);
        assert.equal(names.includes('SLACK_SIGNING_SECRET'), !socketMode, where);
      }
    }),
  );

  it(
    'reads no Secret values without the secret-values component, and only the executor ever writes',
    eachOverlay((overlay) => {
      const granted = grants(overlay);
      const executorOn = overlay.components.includes('executor');
      const secretValues = overlay.components.includes('secret-values');
      const templates = podTemplates(overlay.objects);
      assert.equal(
        templates.some((template) => role(template) === 'executor'),
        executorOn,
        overlay.name,
      );
      for (const template of templates) {
        const account = template.spec.serviceAccountName!;
        const rules = granted.get(account) ?? [];
        const where = `${overlay.name}: ${account}`;
        const readsSecrets = grantsOn(rules, 'secrets').some((verb) => ['get', 'list', 'watch', '*'].includes(verb));
        assert.equal(readsSecrets, secretValues && role(template) !== 'web', where);
        const writes = rules.some((rule) => rule.verbs?.some((verb) => WRITE_VERBS.includes(verb)));
        assert.equal(writes, role(template) === 'executor', where);
        if (role(template) === 'web') {
          assert.deepEqual(rules, [], `${where}: the web role never talks to the cluster`);
          assert.equal(template.spec.automountServiceAccountToken, false, where);
        }
      }
      if (secretValues) {
        const investigator = templates.find((template) => role(template) === 'worker')!.spec.serviceAccountName!;
        assert.ok(grantsOn(granted.get(investigator) ?? [], 'secrets').includes('get'), overlay.name);
      }
    }),
  );

  it(
    'confines every pod with NetworkPolicies when the network-policy component is on',
    eachOverlay((overlay) => {
      const policies = ofKind(overlay, 'NetworkPolicy').map((policy) => policy.spec as Policy);
      if (!overlay.components.includes('network-policy')) {
        assert.deepEqual(policies, [], overlay.name);
        return;
      }
      const allowedEgress: Record<string, (number | string)[]> = {
        web: [53, 5432, 6379, 443],
        worker: [53, 5432, 6379, 443, 6443, 9090],
        executor: [53, 5432, 6379, 443, 6443],
      };
      for (const template of podTemplates(overlay.objects)) {
        const where = `${overlay.name}: ${template.owner.metadata.name}`;
        const mine = policies.filter((policy) => policySelects(policy, template.labels));
        assert.ok(
          mine.some((policy) => policy.policyTypes.includes('Egress')),
          `${where}: egress not confined`,
        );
        assert.ok(
          mine.some((policy) => policy.policyTypes.includes('Ingress')),
          `${where}: ingress not confined`,
        );
        const egress = mine.flatMap((policy) => policy.egress ?? []);
        assert.ok(
          egress.every((rule) => rule.ports?.length && rule.ports.every((port) => port.port !== undefined)),
          `${where}: an egress rule without ports allows every port`,
        );
        assert.deepEqual(
          [...new Set(egress.flatMap((rule) => rule.ports!.map((port) => port.port)))].sort(),
          [...allowedEgress[role(template)!]!].sort(),
          where,
        );
        const metricsFrom = mine
          .flatMap((policy) => policy.ingress ?? [])
          .filter((rule) => rule.ports?.some((port) => port.port === 'metrics'))
          .flatMap((rule) => rule.from ?? [{}]);
        assert.ok(metricsFrom.length > 0, `${where}: metrics port closed to Prometheus`);
        assert.ok(
          metricsFrom.every((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']),
          `${where}: metrics open beyond the monitoring namespace`,
        );
      }
    }),
  );

  it(
    'scrapes /metrics of every role through a ServiceMonitor when the service-monitor component is on',
    eachOverlay((overlay) => {
      const monitors = ofKind(overlay, 'ServiceMonitor');
      if (!overlay.components.includes('service-monitor')) {
        assert.deepEqual(monitors, [], overlay.name);
        return;
      }
      const spec = monitors[0]!.spec as {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string; path: string }[];
      };
      const services = ofKind(overlay, 'Service').filter((service) =>
        selects(spec.selector.matchLabels, service.metadata.labels ?? {}),
      );
      assert.equal(services.length, 1, `${overlay.name}: the ServiceMonitor selects ${services.length} Services`);
      const service = services[0]!.spec as {
        selector: Record<string, string>;
        ports: { name: string; targetPort: string }[];
      };
      for (const endpoint of spec.endpoints) {
        assert.equal(endpoint.path, '/metrics');
        const port = service.ports.find((candidate) => candidate.name === endpoint.port);
        assert.ok(port, `${overlay.name}: the Service has no port ${endpoint.port}`);
        for (const template of podTemplates(overlay.objects)) {
          const where = `${overlay.name}: ${template.owner.metadata.name}`;
          assert.ok(selects(service.selector, template.labels), `${where} is not scraped`);
          const names = (template.spec.containers[0]?.ports ?? []).map((candidate) => candidate.name);
          assert.ok(names.includes(port.targetPort), `${where}: no ${port.targetPort} port`);
        }
      }
    }),
  );
});
