import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONNECTION_FAILURE } from '../../src/investigation/evidence/log-line.ts';

// A pooling client tries every address it knows and reports that none answered: it could not reach its server, as
// surely as a refused connection says so.
test('pooling clients that found no server to talk to are connection failures', () => {
  for (const line of [
    'publish order.created failed: nats: no servers available for connection',
    'search failed: NoLivingConnectionsError: no living connections',
    'server selection error: no reachable servers',
    'KafkaError: no brokers available',
    'begin global request failed. xid=null, msg=No available service',
    'can not connect to services-server.',
    'Cannot connect to the cluster: no hosts available',
  ])
    assert.ok(CONNECTION_FAILURE.test(line), line);
});

test('a server that answered, or a count that is merely low, is not a connection failure', () => {
  for (const line of [
    'GET /ready 200 3ms',
    'no slots available for job 42, queued',
    'pool: 0 idle servers, 8 busy',
    'ERROR order 1182 rejected: no stock available',
    'no service account token mounted',
  ])
    assert.ok(!CONNECTION_FAILURE.test(line), line);
});
