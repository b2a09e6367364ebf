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
} from "./chunk-SOXTFEWF.mjs";
import "./chunk-6O7C65AY.mjs";
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
