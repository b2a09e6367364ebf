import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-POYKVROC.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-UDX4J7G6.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
