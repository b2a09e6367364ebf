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
} from "./chunk-BXRDWBXZ.mjs";
import "./chunk-EJTEVCR4.mjs";
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
