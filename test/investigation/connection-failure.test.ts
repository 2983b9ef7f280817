import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failsToReach } from '../../src/investigation/evidence/connection-failures.ts';

test('refused, reset, timed out and unreachable connections are connection failures', () => {
  for (const line of [
    'dial tcp 10.4.0.7:5432: connect: connection refused',
    'read tcp 10.1.0.4:40112->10.4.0.7:6379: read: connection reset by peer',
    'Error: connect ETIMEDOUT 10.4.0.9:9200',
    'dial tcp 10.4.0.9:443: connect: no route to host',
    'grpc: addrConn.createTransport failed to connect to {vault.sec.svc:8200}',
  ])
    assert.ok(failsToReach(line), line);
});

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
    assert.ok(failsToReach(line), line);
});

test('a server that answered, or a count that is merely low, is not a connection failure', () => {
  for (const line of [
    'GET /ready 200 3ms',
    'no slots available for job 42, queued',
    'pool: 0 idle servers, 8 busy',
    'ERROR order 1182 rejected: no stock available',
    'no service account token mounted',
  ])
    assert.ok(!failsToReach(line), line);
});

// Every connection the client's own pool holds is in use: the server answers them, the client asks for more.
test("a client's own exhausted pool is not a server it cannot reach", () => {
  for (const line of [
    'acquire db connection: no available connections in pool (max=2, in use=2)',
    'sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00',
    'HikariPool-1 - Connection is not available, request timed out after 30000ms.',
    'org.apache.http.conn.ConnectionPoolTimeoutException: Timeout waiting for connection from pool',
  ])
    assert.ok(!failsToReach(line), line);
});

test("the scheduler's word about nodes, and a name that did not resolve, are not a server that cannot be reached", () => {
  for (const line of [
    'no nodes available to schedule pods',
    'Warning FailedScheduling: 0/4 nodes are available: 4 Insufficient cpu. no nodes available',
    'psql: error: could not translate host name "ledger-db" to address: Name or service not known',
  ])
    assert.ok(!failsToReach(line), line);
});
