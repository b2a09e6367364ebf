/**
 * Child processes for the benchmark. Every measured client runs in its own process (its peak RSS is
 * its own, and it never shares an event loop with the fake API), started from this same bundle with
 * `--role NAME JSON`; it answers once over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface RoleMessage {
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Roles of the measured client: they run from ours.mjs, a bundle of our client's code alone. */
const OURS = new Set(['batch-ours', 'wait-ours', 'download-ours']);

/** The bundle that runs `role` (forked children run it with `--role`). */
export const bundlePath = (role?: string): string => {
  const dir = path.dirname(process.argv[1]!);
  if (role === 'n8n') return path.join(dir, 'n8n.mjs');
  if (role === 'download-client') return path.join(dir, 'ours-client.mjs');
  return role !== undefined && OURS.has(role) ? path.join(dir, 'ours.mjs') : process.argv[1]!;
};

/** Peak resident set size of this process so far, in MB. */
export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/** Run one role in a child and resolve with what it sent; kills it after `timeoutMs`. */
export function runRole<T>(role: string, args: unknown, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(bundlePath(role), ['--role', role, JSON.stringify(args)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    let settled = false;
    const timer = setTimeout(() => {
      finish(new Error(`role ${role} did not finish within ${Math.round(timeoutMs / 1000)} s`));
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (error: Error | undefined, value?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value as T);
    };
    child.on('message', (m: RoleMessage) => {
      if (m.ok) finish(undefined, m.result as T);
      else finish(new Error(`role ${role}: ${m.error ?? 'failed'}`));
    });
    child.on('exit', (code, signal) => finish(new Error(`role ${role} exited (${code ?? signal}) without an answer`)));
    child.on('error', (e) => finish(e));
  });
}

/** In a child: run `body` and send its result (or its error) to the parent, then exit. */
export async function serveRole(body: () => Promise<unknown>): Promise<void> {
  let message: RoleMessage;
  try {
    message = { ok: true, result: await body() };
  } catch (e) {
    message = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  await new Promise<void>((resolve) => process.send!(message, () => resolve()));
  process.exit(0);
}

/** A long-lived child answering numbered requests (the fake API). */
export class RoleServer {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: { id?: number; ok: boolean; result?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error ?? 'failed'));
    });
    child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('child exited'));
      this.pending.clear();
    });
  }

  /** Start `role` and wait for its first (unnumbered) message. */
  static start(role: string, args: unknown, timeoutMs = 20_000): Promise<{ server: RoleServer; hello: unknown }> {
    const child = fork(bundlePath(role), ['--role', role, JSON.stringify(args)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    const server = new RoleServer(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${role} did not start`));
      }, timeoutMs);
      child.once('message', (m: { hello?: unknown }) => {
        clearTimeout(timer);
        resolve({ server, hello: m.hello });
      });
      child.once('exit', () => reject(new Error(`${role} exited before it started`)));
    });
  }

  call<T>(cmd: string, arg?: unknown): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, arg });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
