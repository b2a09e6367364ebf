import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-QGVGCRLY.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-2A25LXY7.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
