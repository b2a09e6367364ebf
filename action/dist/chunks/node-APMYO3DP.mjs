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
} from "./chunk-FPWJSHLI.mjs";
import "./chunk-SNGY5U6K.mjs";
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
