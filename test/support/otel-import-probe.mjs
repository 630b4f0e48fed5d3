// Preloaded into a `hivegraph serve` child (NODE_OPTIONS=--import) by test/cli/tracing.test.ts:
// prints one line on stderr for every OpenTelemetry module the process resolves other than the
// API (`@opentelemetry/api`: a few no-op functions, which prom-client imports for exemplars), so
// the test can tell whether the SDK or an instrumentation was loaded at all.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (resolved.url.includes('/@opentelemetry/') && !resolved.url.includes('/@opentelemetry/api/')) process.stderr.write(`OTEL-MODULE-LOADED ${resolved.url}\n`);
    return resolved;
  },
});
