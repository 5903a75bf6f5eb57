// A real PostgreSQL for Phoenix, as teams deploy it: Debian's server (./dev installs it), a
// fresh cluster in a temporary directory, on loopback and a free port, trusting local
// connections, with a database `phoenix`; run as the `postgres` user when the tests run as root
// (PostgreSQL refuses root).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, chown } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './phoenix.mjs';

const run = promisify(execFile);

/** Debian's PostgreSQL programs (the newest version installed). */
function bin(program) {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => b - a) : [];
  const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin/${program}`).find(existsSync);
  if (!found) throw new Error(`PostgreSQL's ${program} is not installed: run ./dev tools (it installs Debian's postgresql)`);
  return found;
}

/** Starts PostgreSQL; resolves to { url, stop } (url: postgresql://postgres@127.0.0.1:PORT/phoenix). */
export async function startPostgres() {
  const root = userInfo().uid === 0;
  const dir = await mkdtemp(join(tmpdir(), 'plume-pg-'));
  const as = (program, args) => root
    ? run('runuser', ['-u', 'postgres', '--', bin(program), ...args])
    : run(bin(program), args);
  if (root) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout), Number(group));
  }
  const port = await freePort();
  const data = join(dir, 'data');
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
  await as('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', 'create database phoenix']);
  const stop = async () => {
    await as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  return { url: `postgresql://postgres@127.0.0.1:${port}/phoenix`, stop };
}
