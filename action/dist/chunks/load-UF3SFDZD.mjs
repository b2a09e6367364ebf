import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-EYPM2VD4.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-SNGY5U6K.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
