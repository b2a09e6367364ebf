import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-K556KAU5.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-QMURZJXP.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
