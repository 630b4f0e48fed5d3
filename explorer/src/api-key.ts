/**
 * Where the explorer keeps the API key: `sessionStorage` of this tab. It survives a reload
 * but not closing the tab, is not shared with other tabs, and never goes into a URL, a
 * cookie or `localStorage` (GraphiQL's own persisted state): an ADMIN key left on a shared
 * machine's disk is worse than typing it again.
 */
const STORAGE_KEY = 'hivegraph.explorer.apiKey';

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage disabled: the key lives only in memory
  }
}

/** The saved key, or '' when there is none. */
export function loadApiKey(): string {
  return storage()?.getItem(STORAGE_KEY) ?? '';
}

/** Saves `key` for this tab ('' forgets it). */
export function saveApiKey(key: string): void {
  const store = storage();
  if (!store) return;
  if (key === '') store.removeItem(STORAGE_KEY);
  else store.setItem(STORAGE_KEY, key);
}

/** The `Authorization` header value for `key`, accepting a pasted `Bearer …` too. */
export function authorizationFor(key: string): string | undefined {
  const trimmed = key.trim().replace(/^bearer\s+/i, '');
  return trimmed === '' ? undefined : `Bearer ${trimmed}`;
}
