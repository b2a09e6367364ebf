/**
 * Redis and PostgreSQL for the queue-mode test, from Debian's packages (`redis-server`,
 * `postgresql`; .ci/run installs them), each started on 127.0.0.1 on a free port with its own data
 * folder in the OS temp folder, and stopped (folder removed) by `stop()`. Nothing is persisted
 * and nothing listens beyond 127.0.0.1: Redis saves no snapshots; PostgreSQL runs without fsync
 * and with no Unix socket.
 *
 * PostgreSQL refuses to run as root: as root, initdb and the server run as the `postgres` user
 * that Debian's package creates (the data folder is given to it); as anyone else, as that user.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Service {
  port: number;
  /** Ends the process (waits for it, bounded) and removes its data folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface Postgres extends Service {
  user: string;
  database: string;
  /** Runs one SQL statement with psql; rows as arrays of column texts (tab-separated, unaligned). */
  query(sql: string): Promise<string[][]>;
}

export const freePort = async (): Promise<number> => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
};

/** Children still running when the test process exits (a failed set-up, a killed run) are killed. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const track = (child: ChildProcess): ChildProcess => {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
};

/** Signal, then wait up to `ms` for the exit; SIGKILL after that. */
export const stopChild = async (child: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
};

/** Polls `ready` every 250 ms until it resolves true; fails after `ms` or when the process exits. */
export const waitUntil = async (
  what: string,
  ready: () => Promise<boolean>,
  ms: number,
  child?: ChildProcess,
  log?: () => string,
): Promise<void> => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready\n${log?.() ?? ''}`);
    }
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} was not ready after ${ms / 1000} s\n${log?.() ?? ''}`);
};

/** Sends one line to a TCP port and resolves with the first answer (for Redis's PING). */
const ask = (port: number, line: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${line}\r\n`));
    socket.once('data', (data) => {
      resolve(data.toString('utf8'));
      socket.end();
    });
  });

export const startRedis = async (): Promise<Service> => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-redis-'));
  const port = await freePort();
  let output = '';
  const child = track(
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const spawned = await Promise.race([once(child, 'spawn').then(() => true), once(child, 'error').then(() => false)]);
  if (!spawned) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)');
  const stop = async () => {
    await stopChild(child, 'SIGTERM', 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      'redis-server',
      async () => (await ask(port, 'PING')).startsWith('+PONG'),
      30_000,
      child,
      () => output,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, stop };
};

/** The newest PostgreSQL of Debian's layout (/usr/lib/postgresql/<major>/bin). */
const postgresBin = (): string => {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin/postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql)');
  return join(root, majors[0]!, 'bin');
};

const postgresUser = async (): Promise<{ uid: number; gid: number } | undefined> => {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
};

export const startPostgres = async (): Promise<Postgres> => {
  const bin = postgresBin();
  const owner = await postgresUser();
  // Created directly in the temp folder (not inside another 0700 folder) so the postgres user can reach it.
  const dir = mkdtempSync(join(tmpdir(), 'scenario-postgres-'));
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  const as = owner ?? {};
  const user = 'n8n';
  const database = 'n8n';
  await run(join(bin, 'initdb'), ['-D', dir, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-sync'], {
    ...as,
    timeout: 120_000,
  });
  const port = await freePort();
  let output = '';
  const child = track(
    spawn(
      join(bin, 'postgres'),
      [
        ['-D', dir],
        ['-p', String(port)],
        ['-c', 'listen_addresses=127.0.0.1'],
        ['-c', 'unix_socket_directories='],
        // A throw-away database: durability buys nothing here and costs a busy machine time.
        ['-c', 'fsync=off'],
        ['-c', 'synchronous_commit=off'],
        ['-c', 'full_page_writes=off'],
      ].flat(),
      { ...as, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const stop = async () => {
    // SIGINT is PostgreSQL's fast shutdown: roll back and exit, no waiting for clients.
    await stopChild(child, 'SIGINT', 15_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const isReady = async () => {
      await run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres']);
      return true;
    };
    await waitUntil('postgres', isReady, 60_000, child, () => output);
    await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, database], { ...as });
  } catch (e) {
    await stop();
    throw e;
  }
  const query = async (sql: string): Promise<string[][]> => {
    const args = ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, '-At', '-F', '\t', '-c', sql];
    const { stdout } = await run(join(bin, 'psql'), args, { maxBuffer: 256 * 1024 * 1024 });
    return stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'));
  };
  return { port, user, database, stop, query };
};
