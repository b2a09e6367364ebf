import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  createFileSink,
  createHttpTransport,
  createJsonFileLedger,
  createNodeClient,
  envCredentials,
  missingCredentialVariables,
  nodePorts,
  safeFileName,
  systemClock,
  timerSleep
} from "./chunk-ZUMVAIB7.mjs";
import "./chunk-4W7C3D5B.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  createFileSink,
  createHttpTransport,
  createJsonFileLedger,
  createNodeClient,
  envCredentials,
  missingCredentialVariables,
  nodePorts,
  safeFileName,
  systemClock,
  timerSleep
};
