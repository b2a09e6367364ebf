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
} from "./chunk-UBVTVL5I.mjs";
import "./chunk-LIOG7S6E.mjs";
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
