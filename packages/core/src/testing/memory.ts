import type { ByteSink, LedgerEntry, LedgerPort, SinkWriter } from '../ports.js';

export interface MemoryOutput {
  name: string;
  chunks: number;
  /** Largest single write, to show downloads arrive in pieces (streamed, not buffered). */
  largestChunk: number;
  resets: number;
  state: 'open' | 'committed' | 'discarded';
  bytes(): Uint8Array;
}

/** A ByteSink in memory (tests, small outputs). */
export const createMemorySink = (): ByteSink & { outputs: MemoryOutput[]; committed(): MemoryOutput[] } => {
  const outputs: MemoryOutput[] = [];
  return {
    outputs,
    committed: () => outputs.filter((o) => o.state === 'committed'),
    async open(name: string): Promise<SinkWriter> {
      let parts: Uint8Array[] = [];
      let written = 0;
      const out: MemoryOutput = {
        name,
        chunks: 0,
        largestChunk: 0,
        resets: 0,
        state: 'open',
        bytes() {
          const all = new Uint8Array(written);
          let at = 0;
          for (const p of parts) {
            all.set(p, at);
            at += p.length;
          }
          return all;
        },
      };
      outputs.push(out);
      const ensureOpen = () => {
        if (out.state !== 'open') throw new Error(`output ${name} is ${out.state}`);
      };
      return {
        get bytesWritten() {
          return written;
        },
        async write(chunk) {
          ensureOpen();
          parts.push(chunk.slice());
          written += chunk.length;
          out.chunks++;
          out.largestChunk = Math.max(out.largestChunk, chunk.length);
        },
        async reset() {
          ensureOpen();
          parts = [];
          written = 0;
          out.resets++;
        },
        async commit() {
          ensureOpen();
          out.state = 'committed';
          return { file: `memory:${name}`, bytes: written };
        },
        async discard() {
          out.state = 'discarded';
        },
      };
    },
  };
};

/** A LedgerPort in memory. */
export const createMemoryLedger = (initial: LedgerEntry[] = []): LedgerPort & { entries: Map<string, LedgerEntry> } => {
  const entries = new Map(initial.map((e) => [e.key, e]));
  return {
    entries,
    get: async (key) => entries.get(key),
    put: async (entry) => {
      entries.set(entry.key, entry);
    },
    remove: async (key) => {
      entries.delete(key);
    },
    list: async () => [...entries.values()],
  };
};
