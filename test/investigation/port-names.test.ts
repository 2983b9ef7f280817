import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { portMeant } from '../../src/investigation/evidence/port-names.ts';
import { replayScenarioFile } from './support/replay.ts';

const ports = [
  { port: 8080, name: 'http' },
  { port: 9090, name: 'grpc' },
  { port: 9100, name: 'http-metrics' },
];

test('an address whose name or scheme names one port of the Service but gives another is pointed at the wrong port', () => {
  assert.deepEqual(portMeant('LEDGER_GRPC_ADDR', 'ledger.fares.svc:8080', ports, 8080), {
    meant: { port: 9090, name: 'grpc' },
    given: { port: 8080, name: 'http' },
  });
  assert.equal(portMeant('TILES_URL', 'http://tiles:9090/v1', ports, 9090)?.meant.port, 8080);
  assert.equal(
    portMeant(
      'BUS',
      'bus:7000',
      [
        { port: 7000, name: 'admin' },
        { port: 7001, appProtocol: 'bus' },
      ],
      7000,
    )?.meant.port,
    7001,
  );
});

test('nothing contradicts an address whose port speaks what it names, or whose ports are unnamed', () => {
  assert.equal(portMeant('LEDGER_GRPC_ADDR', 'ledger:9090', ports, 9090), undefined);
  assert.equal(portMeant('LEDGER_URL', 'http://ledger:8080', ports, 8080), undefined);
  assert.equal(portMeant('LEDGER_ADDR', 'ledger:9090', ports, 9090), undefined);
  assert.equal(portMeant('GRPC_ADDR', 'ledger:8080', [{ port: 8080 }, { port: 9090, name: 'grpc' }], 8080), undefined);
  // A word of a port's name (http of http-metrics) is not what the setting means.
  assert.equal(
    portMeant(
      'WEB_URL',
      'http://ledger:9090',
      [{ port: 9090, name: 'grpc' }, ports[2] as (typeof ports)[number]],
      9090,
    ),
    undefined,
  );
});

// The workload whose own setting contradicts what its callee serves is the culprit, not the callee that receives the
// garbled calls and answers others — even though a standing setting of the callee names a host with no Service.
test('an http URL on the port the callee names grpc is the caller’s bad-env, not the callee’s', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/tundra-http-url-on-grpc-port.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'tundra', name: 'route-planner' });
  assert.equal(result.faultType, 'bad-env');
  assert.match(result.summary, /serves http on port 8080; its port 9000 is grpc/);
});
