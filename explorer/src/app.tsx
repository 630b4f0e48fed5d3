/**
 * The explorer page: a bar with the API key field and the two views — GraphiQL (queries,
 * mutations, subscriptions) and the neighbourhood view of an artifact's graph.
 */
import { GraphiQL } from 'graphiql';
import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { authorizationFor, loadApiKey, saveApiKey } from './api-key.ts';
import { createTransport, endpointsFor } from './fetcher.ts';
import { NeighbourhoodView } from './neighbourhood.tsx';

const DEFAULT_QUERY = `# Welcome to the Hivegraph explorer.
# Enter your API key above ("Use key"), then run this with ▶ or Ctrl-Enter.
# Subscriptions run over WebSocket, e.g.
#   subscription { events { cursor type artifact { id title } } }

{
  me {
    handle
    role
  }
}
`;

type View = 'graphiql' | 'neighbourhood';

export function App() {
  const [apiKey, setApiKey] = useState(loadApiKey);
  const [draft, setDraft] = useState(apiKey);
  const [view, setView] = useState<View>('graphiql');
  const endpoints = useMemo(() => endpointsFor(window.location), []);
  const transport = useMemo(() => createTransport(endpoints, authorizationFor(apiKey)), [endpoints, apiKey]);
  useEffect(() => () => transport.dispose(), [transport]);

  const useKey = () => {
    const key = draft.trim();
    saveApiKey(key);
    setApiKey(key);
  };
  const forgetKey = () => {
    saveApiKey('');
    setDraft('');
    setApiKey('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') useKey();
  };

  return (
    <div className="hg-app">
      <header className="hg-bar">
        <span className="hg-title">Hivegraph explorer</span>
        <nav className="hg-tabs" aria-label="Views">
          <button type="button" id="tab-graphiql" aria-pressed={view === 'graphiql'} onClick={() => setView('graphiql')}>
            GraphiQL
          </button>
          <button type="button" id="tab-neighbourhood" aria-pressed={view === 'neighbourhood'} onClick={() => setView('neighbourhood')}>
            Neighbourhood
          </button>
        </nav>
        <div className="hg-key">
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
            autoComplete="off"
            spellCheck={false}
            placeholder="paste a key"
          />
          <button type="button" id="api-key-use" onClick={useKey}>
            Use key
          </button>
          <button type="button" id="api-key-forget" onClick={forgetKey} disabled={apiKey === '' && draft === ''}>
            Forget
          </button>
          <span id="api-key-status" className="hg-key-status" role="status">
            {apiKey === '' ? 'no key: requests are unauthenticated' : draft.trim() === apiKey ? 'key in use (kept for this tab only)' : 'press “Use key” to apply'}
          </span>
        </div>
      </header>
      <main className="hg-views">
        <div className={`hg-view${view === 'graphiql' ? '' : ' hg-view-hidden'}`} aria-hidden={view !== 'graphiql'}>
          {/* Without a key the schema cannot be introspected (401): wait for one (schema null = don't ask). */}
          <GraphiQL fetcher={transport.fetcher} schema={apiKey === '' ? null : undefined} defaultQuery={DEFAULT_QUERY} shouldPersistHeaders={false}>
            <GraphiQL.Logo>Hivegraph</GraphiQL.Logo>
          </GraphiQL>
        </div>
        <div className={`hg-view hg-view-scroll${view === 'neighbourhood' ? '' : ' hg-view-hidden'}`} aria-hidden={view !== 'neighbourhood'}>
          <NeighbourhoodView transport={transport} />
        </div>
      </main>
    </div>
  );
}
