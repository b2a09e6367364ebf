import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-MUS3X7ZN.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-3F7FMQLC.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
