/**
 * The levelled logger every layer receives: one JSON object per line (pino), on stderr by
 * default. Each line has `level` (a name), `time` (ISO 8601), `msg`, the fields given, and
 * the `requestId` of the request being handled (src/shared/log-context.ts).
 *
 * Secrets never reach a line in clear: fields named like credentials (`authorization`,
 * `password`, `apiKey`, `token`, `secret`, `cookie`, …, at any depth) are replaced by
 * `[REDACTED]`, and inside any string — the message included — bearer tokens, Hivegraph API
 * keys (`hg_…`) and URL passwords are masked (see {@link redactText}). Callers still log keys
 * by prefix only.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import { currentLogContext } from './log-context.ts';

/** Log levels, most verbose first. `silent` turns logging off. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured context attached to a log line. */
export type LogFields = Record<string, unknown>;

/** The logging surface every layer receives. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record. */
  child(fields: LogFields): Logger;
}

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Field names whose values are always redacted (lower-cased, `-`/`_` removed): `key`, and names ending in a credential word. */
const SECRET_FIELD = /^(key|.*(authorization|cookie|password|passwd|secret|token|apikey|adminkey|privatekey|credentials?))$/;

/** Secrets recognisable inside free text. */
const SECRET_TEXT: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, `$1 ${REDACTED}`],
  [/\bhg_[A-Za-z0-9_-]{8,}/g, `hg_${REDACTED}`],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, `sk-${REDACTED}`],
  // scheme://user:password@host → scheme://user:[REDACTED]@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
];

/** Masks bearer tokens, `hg_` API keys, `sk-` keys and URL passwords in `text`. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/** Deepest level of nested fields that is walked; deeper values are cut. */
const MAX_FIELD_DEPTH = 8;

/** A copy of `value` fit for a log line: secret fields redacted, strings masked, errors reduced to name and message. */
export function redactFields(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_FIELD_DEPTH) return '[too deep]';
  seen.add(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: redactText(value.message), ...(typeof code === 'string' ? { code } : {}) };
  }
  if (value instanceof Map) return redactFields(Object.fromEntries(value), depth, seen);
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1, seen));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_FIELD.test(key.toLowerCase().replace(/[-_]/g, '')) && v !== undefined && v !== null ? REDACTED : redactFields(v, depth + 1, seen);
  }
  return out;
}

/** A destination pino can write to: each call gets one line ending in `\n`. */
interface LineSink {
  write(line: string): void;
}

/**
 * Creates a logger.
 * @param level records below this level are dropped (default `info`)
 * @param write where lines go, without their trailing newline (default: stderr, synchronously)
 * @param base fields added to every record
 */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void, base: LogFields = {}): Logger {
  const sink: LineSink = write ? { write: (line) => write(line.endsWith('\n') ? line.slice(0, -1) : line) } : pino.destination({ fd: 2, sync: true });
  const root = pino(
    {
      level,
      base: null,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Every field passes through redactFields first; this catches what a child's bindings add.
      redact: { paths: ['authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'password', '*.password', 'apiKey', '*.apiKey'], censor: REDACTED },
      mixin: () => {
        const context = currentLogContext();
        return context?.requestId ? { requestId: context.requestId } : {};
      },
    },
    sink,
  );
  return wrap(Object.keys(base).length > 0 ? root.child(redactFields(base) as LogFields) : root);
}

function wrap(target: PinoLogger): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (!target.isLevelEnabled(at)) return;
    const safe = fields ? (redactFields(fields) as LogFields) : {};
    target[at](safe, redactText(message));
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => wrap(target.child(redactFields(fields) as LogFields)),
  };
}
