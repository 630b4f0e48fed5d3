/**
 * Tells Monaco (GraphiQL's editor) where its web workers are. explorer/build.ts bundles each
 * worker into `dist/workers/` and passes their hashed file names in as
 * `__HIVEGRAPH_MONACO_WORKERS__`; they load from this server, never from a CDN.
 */
declare const __HIVEGRAPH_MONACO_WORKERS__: Record<string, string>;

/** The part of Monaco's global `MonacoEnvironment` used here. */
interface MonacoEnvironment {
  getWorker(workerId: string, label: string): Worker;
}

/** Installs `globalThis.MonacoEnvironment` (declared by monaco-editor); call before GraphiQL renders. */
export function setUpMonacoWorkers(baseUrl: string): void {
  const urls = __HIVEGRAPH_MONACO_WORKERS__;
  const environment: MonacoEnvironment = {
    getWorker(_workerId, label) {
      const file = urls[label === 'json' || label === 'graphql' ? label : 'editor'];
      if (!file) throw new Error(`no Monaco worker was built for "${label}"`);
      return new Worker(new URL(file, baseUrl), { name: `monaco-${label}` });
    },
  };
  (globalThis as { MonacoEnvironment?: MonacoEnvironment }).MonacoEnvironment = environment;
}
