import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { slackFetch } from '../../src/slack/http-fetch.ts';

/** A server that answers what it received, or the status a path names (/status/302). */
async function echoServer() {
  const received: { method?: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
    const status = Number(req.url?.match(/^\/status\/(\d+)$/)?.[1] ?? 200);
    if (status === 302) res.writeHead(302, { location: '/elsewhere' }).end();
    else if (status === 204) res.writeHead(204).end();
    else res.writeHead(status, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] }).end('{"ok":true}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => server.close() };
}

test('a Web API call goes over node:http and answers as fetch would', async () => {
  const server = await echoServer();
  try {
    const body = 'channel=C1&text=h%C3%A9llo';
    const response = await slackFetch(`${server.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'error',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
    const [seen] = server.received;
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.body, body);
    assert.equal(seen?.headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(seen?.headers['content-type'], 'application/x-www-form-urlencoded');

    const form = await slackFetch(`${server.url}/api/x`, {
      method: 'POST',
      body: new URLSearchParams({ a: 'b' }),
      redirect: 'error',
    });
    assert.equal(form.status, 200);
    assert.equal(server.received[1]?.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(server.received[1]?.body, 'a=b');

    const empty = await slackFetch(`${server.url}/status/204`, { method: 'POST', body: '', redirect: 'error' });
    assert.equal(empty.status, 204);
    assert.equal(await empty.text(), '');
    const refused = await slackFetch(`${server.url}/status/500`, { method: 'POST', body: '', redirect: 'error' });
    assert.equal(refused.status, 500);
  } finally {
    server.close();
  }
});

test('a redirect is not followed (WebClient asks redirect: error), and an unreachable host fails as fetch fails', async () => {
  const server = await echoServer();
  try {
    await assert.rejects(
      slackFetch(`${server.url}/status/302`, { method: 'POST', body: '', redirect: 'error' }),
      (error: Error) => error instanceof TypeError && error.message === 'fetch failed',
    );
  } finally {
    server.close();
  }
  await assert.rejects(
    slackFetch('http://127.0.0.1:9/api/x', { method: 'POST', body: '', redirect: 'error' }),
    (error: Error) => error instanceof TypeError && error.message === 'fetch failed',
  );
});

test('anything but a Web API call (a multipart upload, a redirect to follow) goes through the global fetch', async () => {
  const server = await echoServer();
  try {
    const upload = new FormData();
    upload.append('file', new Blob(['content']), 'a.txt');
    const response = await slackFetch(`${server.url}/upload`, { method: 'POST', body: upload, redirect: 'error' });
    assert.equal(response.status, 200);
    assert.match(String(server.received[0]?.headers['content-type']), /^multipart\/form-data; boundary=/);
    const followed = await slackFetch(`${server.url}/status/302`, { method: 'GET' });
    assert.equal(followed.status, 200, 'followed to /elsewhere');
  } finally {
    server.close();
  }
});
