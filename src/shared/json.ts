/**
 * Bounds on untrusted JSON and text shared by every layer: how deeply a JSON value nests
 * (measured without recursion, so a value of any depth is safe to measure) and which
 * characters no stored string may hold.
 */

/** Default of HIVEGRAPH_MAX_JSON_DEPTH: how deeply a JSON argument may nest at the API. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * The deepest JSON the services accept from any caller (operator commands and imports too);
 * the API's own limit (HIVEGRAPH_MAX_JSON_DEPTH, at most this) is checked before. Recursive
 * code (JSON.stringify, the scrubbers) is safe far beyond it.
 */
export const JSON_DEPTH_CEILING = 1000;

/**
 * How deeply `value` nests (a scalar is 0, `{}` and `[]` are 1), counted without recursion
 * and stopping as soon as `limit` is exceeded.
 */
export function jsonDepth(value: unknown, limit = Number.MAX_SAFE_INTEGER): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, level]);
    }
  }
  return deepest;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored, or undefined: a NUL character or a lone UTF-16 surrogate. */
export function badText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'a NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate (invalid Unicode, e.g. an unpaired \\ud800)';
  return undefined;
}

/**
 * The first string (object keys included) of a JSON value that {@link badText} refuses, with
 * its path (`a.b[2]`) and the reason; walked without recursion.
 */
export function findBadText(value: unknown, root = ''): { path: string; reason: string } | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      const reason = badText(current);
      if (reason) return { path, reason };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push([current[i], `${path}[${i}]`]);
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        const reason = badText(key);
        if (reason) return { path: path ? `${path}.${key.slice(0, 40)}` : key.slice(0, 40), reason: `${reason} in a key` };
        stack.push([child, path ? `${path}.${key}` : key]);
      }
    }
  }
  return undefined;
}
