/**
 * Batch mutations (`createArtifacts`, `relateMany`): their size bound, and the error rule that
 * a failing item is named by its position — `extensions.index` and an `inputs[i]: ` prefix.
 */
import { BadUserInputError, HivegraphError } from './errors.ts';

/** The most items one batch mutation takes. */
export const MAX_BATCH_ITEMS = 100;

/** @throws BAD_USER_INPUT unless 1 ≤ `count` ≤ {@link MAX_BATCH_ITEMS} */
export function checkBatchSize(count: number, field = 'inputs'): void {
  if (count < 1 || count > MAX_BATCH_ITEMS) {
    throw new BadUserInputError(`${field} takes 1 to ${MAX_BATCH_ITEMS} items (got ${count}).`, field);
  }
}

/** Marks a client-facing error as coming from item `index` (once: the innermost mark wins). */
export function markItem(error: unknown, index: number, field = 'inputs'): unknown {
  if (error instanceof HivegraphError && error.extensions['index'] === undefined) {
    (error.extensions as Record<string, unknown>)['index'] = index;
    error.message = `${field}[${index}]: ${error.message}`;
  }
  return error;
}

/** Runs `fn` for item `index`, marking what it throws with that index. */
export async function forItem<T>(index: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw markItem(error, index);
  }
}

/** {@link forItem} for synchronous work (e.g. decoding ids in a resolver). */
export function forItemSync<T>(index: number, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw markItem(error, index);
  }
}

/**
 * Checks a batch's size, then decodes each item (ids in a resolver), marking a failure with
 * the item's index: the common front of every batch mutation.
 */
export function decodeBatch<I, O>(inputs: readonly I[], decode: (input: I, at: string) => O): O[] {
  checkBatchSize(inputs.length);
  return inputs.map((input, index) => forItemSync(index, () => decode(input, `inputs[${index}]`)));
}
