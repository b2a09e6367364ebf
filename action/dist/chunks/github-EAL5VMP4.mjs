import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  context,
  getOctokit
} from "./chunk-QTF6EUMD.mjs";
import "./chunk-6L6K6BAU.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  context,
  getOctokit
};
