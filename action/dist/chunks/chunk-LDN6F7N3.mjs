import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/action/paths.ts
import path from "node:path";
function cachePath(workspace, abs) {
  const rel = path.relative(workspace, abs).split(path.sep).join("/");
  return rel === "" ? "." : rel;
}

export {
  cachePath
};
