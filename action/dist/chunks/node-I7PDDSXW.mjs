import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  createFileSink,
  createHttpTransport,
  createJsonFileLedger,
  createNodeClient,
  envCredentials,
  nodePorts,
  safeFileName,
  systemClock,
  timerSleep
} from "./chunk-W6O5BPF5.mjs";
import "./chunk-43ND7OIO.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  createFileSink,
  createHttpTransport,
  createJsonFileLedger,
  createNodeClient,
  envCredentials,
  nodePorts,
  safeFileName,
  systemClock,
  timerSleep
};
