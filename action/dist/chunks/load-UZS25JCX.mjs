import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-O56VU7JG.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-43ND7OIO.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
