/**
 * The transaction object both SQL adaptors hand to callers: statements run on the one
 * connection that holds the transaction, and nested `transaction` calls become savepoints.
 */
import type { Queryable, QueryResult } from '../types.ts';
import { translateSqlError } from './translate-error.ts';

/** Runs one statement on the connection that holds the open transaction. */
export type StatementRunner = (text: string, params?: readonly unknown[]) => Promise<QueryResult<never>>;

/** Runs a multi-statement script without parameters on the transaction's connection. */
export type ScriptRunner = (sql: string) => Promise<unknown>;

const scriptRunners = new WeakMap<Queryable, ScriptRunner>();

/**
 * Runs a multi-statement script inside the transaction `tx` (made by {@link transactionQueryable}).
 * @throws Error when `tx` is not a transaction of a SQL adaptor
 */
export async function runScriptIn(tx: Queryable, sql: string): Promise<void> {
  const runner = scriptRunners.get(tx);
  if (!runner) throw new Error('execScript: the given object is not an open transaction of this client');
  try {
    await runner(sql);
  } catch (error) {
    throw translateSqlError(error);
  }
}

/**
 * Wraps a transaction's connection as a {@link Queryable} whose `transaction` opens savepoints.
 * @param run runs a statement on the transaction's connection (errors untranslated)
 * @param script runs a multi-statement script on that connection
 * @param depth nesting depth; 0 for the outermost transaction
 */
export function transactionQueryable(run: StatementRunner, script: ScriptRunner, depth = 0): Queryable {
  const query = async <R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    try {
      return (await run(text, params)) as QueryResult<R>;
    } catch (error) {
      throw translateSqlError(error);
    }
  };
  const queryable: Queryable = {
    query,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const savepoint = `hg_sp_${depth + 1}`;
      await query(`SAVEPOINT ${savepoint}`);
      try {
        const result = await fn(transactionQueryable(run, script, depth + 1));
        await query(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        await query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => undefined);
        throw error;
      }
    },
  };
  scriptRunners.set(queryable, script);
  return queryable;
}
