import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-5FSHHU6F.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-OMNWJXMF.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
