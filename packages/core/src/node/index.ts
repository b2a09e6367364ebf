// Node adapters for the core's ports (fetch transport, timer sleep, file sink, JSON ledger).
export {};
