import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  loadPromptFiles
} from "./chunk-L4F5QAPQ.mjs";
import "./chunk-DJ542XSM.mjs";
import "./chunk-KFVM2JKB.mjs";
import "./chunk-XDNEWOOM.mjs";
export {
  loadPromptFiles
};
