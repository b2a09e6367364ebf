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
} from "./chunk-HJM7AUCA.mjs";
import "./chunk-3F7FMQLC.mjs";
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
