/**
 * Scripts a module starts beside itself (a worker thread, a child process). Once built, the `.js`
 * beside it, run by plain node. When the module runs from its TypeScript source (the tests, the
 * tools under tsx), the `.ts` beside it, loaded through tsx: a dev dependency the built package
 * never needs.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** Whether the module at `moduleUrl` runs from its TypeScript source rather than from `dist/`. */
function fromSource(moduleUrl: string): boolean {
  return moduleUrl.endsWith(".ts");
}

/** The script `name` (no extension) beside the module at `moduleUrl`. */
export function siblingScript(moduleUrl: string, name: string): URL {
  return new URL(`./${name}${fromSource(moduleUrl) ? ".ts" : ".js"}`, moduleUrl);
}

/** The node options of a child process running a script beside the module at `moduleUrl`. */
export function childExecArgv(moduleUrl: string): string[] {
  return fromSource(moduleUrl) ? ["--import", import.meta.resolve("tsx")] : [];
}

/**
 * A worker thread on the script `name` beside the module at `moduleUrl`. Node 20 ignores a loader
 * given in a worker's `execArgv` (nodejs/node#47747), so from sources the worker registers tsx
 * itself before it imports the `.ts`.
 */
export function startWorker(moduleUrl: string, name: string, options: WorkerOptions): Worker {
  const script = siblingScript(moduleUrl, name);
  if (!fromSource(moduleUrl)) return new Worker(script, options);
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const code = `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(script.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}
