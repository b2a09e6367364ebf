import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-VH63DNEB.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-EJTEVCR4.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
