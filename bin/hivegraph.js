#!/usr/bin/env node
// The `hivegraph` command. Runs the TypeScript sources directly (Node's type stripping),
// so it needs Node >= 22.18; say so plainly on an older Node instead of failing obscurely.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `hivegraph: Node >= 22.18 is required, this is ${process.version}. ` +
      'Run it through npm (`npm start`, which uses the Node that `npm install` placed in node_modules) ' +
      'or install a newer Node (`npm install -g node@24`).\n',
  );
  process.exit(1);
}
// OpenTelemetry only when OTEL_* configures it, and before anything it instruments is imported.
const tracing = await import('../src/server/tracing.ts');
if (tracing.tracingEnabled(process.env)) await tracing.startTracing(process.env);
await import('../src/cli/main.ts');
