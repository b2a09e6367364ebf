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
} from "./chunk-YDN5FFGJ.mjs";
import "./chunk-2A25LXY7.mjs";
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
