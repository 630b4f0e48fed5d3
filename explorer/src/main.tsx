/** Entry point of the explorer bundle (explorer/build.ts). */
import 'graphiql/style.css';
import './style.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { setUpMonacoWorkers } from './monaco-workers.ts';

// Worker paths in the bundle are relative to the page (…/explorer/).
setUpMonacoWorkers(new URL('./', document.baseURI).toString());

const root = document.getElementById('root');
if (!root) throw new Error('the page has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
