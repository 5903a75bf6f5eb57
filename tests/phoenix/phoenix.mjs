// A real Phoenix for the sending test and the comparison benchmark: the server from the
// virtualenv ./dev makes (target/phoenix-venv; PHOENIX_PYTHON overrides), on loopback only
// (serve.py), with a fresh working directory, allowing the origins given, as a user would start it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const python = process.env.PHOENIX_PYTHON ?? join(root, 'target/phoenix-venv/bin/python');

/** An OTLP protobuf file's top-level fields (each a `resourceSpans`), grouped into bodies of at
 * most `limit` bytes: the requests an app's exporter would send. */
export function otlpRequests(body, limit = 4 << 20) {
  const out = [];
  let [start, at] = [0, 0];
  while (at < body.length) {
    let cursor = at + 1;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = body[cursor++];
      len += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    const end = cursor + len;
    if (end - start > limit && at > start) {
      out.push(body.subarray(start, at));
      start = at;
    }
    at = end;
  }
  out.push(body.subarray(start));
  return out;
}

/** A port free on loopback now, for a server to take. */
export async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts Phoenix and waits until its REST API answers; resolves to { url, get, graphql, stop }. */
export async function startPhoenix({ allowedOrigins = [], env = {} } = {}) {
  if (!existsSync(python)) {
    throw new Error(`Phoenix is not installed at ${python}: run ./dev tools (it makes the virtualenv)`);
  }
  const workingDir = await mkdtemp(join(tmpdir(), 'plume-phoenix-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(python, [join(root, 'tests/phoenix/serve.py')], {
    env: {
      ...process.env,
      PHOENIX_HOST: '127.0.0.1',
      PHOENIX_PORT: String(port),
      PHOENIX_WORKING_DIR: workingDir,
      PHOENIX_ALLOWED_ORIGINS: allowedOrigins.join(','),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  server.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const get = async (path) => {
    const response = await fetch(`${url}${path}`);
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  };
  const graphql = async (query) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const { data, errors } = await response.json();
    if (errors?.length) throw new Error(`GraphQL: ${JSON.stringify(errors)}`);
    return data;
  };
  const stop = async () => {
    server.kill('SIGTERM');
    await rm(workingDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`Phoenix exited: ${log}`);
    try {
      // Its REST API answers (with auth on, by refusing a request without a key).
      const { status } = await fetch(`${url}/v1/projects`);
      if (![200, 401, 403].includes(status)) throw new Error(`HTTP ${status}`);
      return { url, get, graphql, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Phoenix did not start in time: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
