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
} from "./chunk-EZKRAINT.mjs";
import "./chunk-B2VCB7IF.mjs";
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
