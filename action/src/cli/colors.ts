import picocolors from 'picocolors';

/**
 * Colour is for a person at a terminal. picocolors' default also turns it on whenever `CI` is set,
 * which puts escape codes into the plain one-line-per-change output that logs and scripts read.
 * `NO_COLOR` always wins; `FORCE_COLOR` asks for colour anyway.
 */
export const wantsColor = (env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean =>
  !('NO_COLOR' in env) && ('FORCE_COLOR' in env || (stream.isTTY === true && env.TERM !== 'dumb'));

export const pc = picocolors.createColors(wantsColor(process.env, process.stderr));
