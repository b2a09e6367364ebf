import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-4D3X73AJ.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-DMWPWDF2.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
