/**
 * The web explorer end to end, in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against a real server: open it from `/`, enter an API key, run a query, run
 * a subscription and watch an event made over HTTP arrive, and walk an artifact's
 * neighbourhood. Also checks what must not happen: the key in a URL or in localStorage, a
 * Content-Security-Policy violation, a script error.
 *
 * Chromium comes from `bash scripts/chromium.sh` (.ci/run runs it). Without it the suite is
 * skipped with the reason — except in CI (CI=true), where that is a failure.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExplorer } from '../../explorer/build.ts';
import { ok } from '../support/actors.ts';
import { describeIfAvailable } from '../support/backends.ts';
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/server.ts';

const CHROMIUM = process.env['HIVEGRAPH_CHROMIUM'] ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (install it with \`bash scripts/chromium.sh\`, or set HIVEGRAPH_CHROMIUM)`;
const STEP_TIMEOUT = 90_000;

if (missing && process.env['CI']) {
  describe('explorer in Chromium', () => {
    it('has Chromium in CI (.ci/run installs it)', () => expect.fail(missing));
  });
} else {
  describeIfAvailable('explorer in Chromium', missing, explorerSuite);
}

function explorerSuite(): void {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const requestUrls: string[] = [];
  const socketUrls: string[] = [];
  const problems: string[] = [];
  /** WebSocket frames, for the failure message of the subscription step. */
  const frames: string[] = [];
  const ids: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

  beforeAll(async () => {
    const [built, started] = await Promise.all([buildExplorer(), startTestServer()]);
    expect(built.reason ?? 'built', 'the explorer bundle must build').toMatch(/built|up to date/);
    server = started;
    // A → B (DEPENDS_ON), B → C (CITES): A's neighbourhood is {A, B} at one hop, {A, B, C} at two.
    for (const [key, title] of [['a', 'Alpha decision'], ['b', 'Beta service'], ['c', 'Gamma paper']] as const) {
      const created = await ok<{ createArtifact: { id: string } }>(server, ADMIN_KEY, 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }', {
        input: { kind: 'fact', title, content: `${title} content`, visibility: 'ORG' },
      });
      ids[key] = created.createArtifact.id;
    }
    const relate = 'mutation ($input: RelateInput!) { relate(input: $input) { id } }';
    await ok(server, ADMIN_KEY, relate, { input: { fromId: ids.a, toId: ids.b, type: 'DEPENDS_ON' } });
    await ok(server, ADMIN_KEY, relate, { input: { fromId: ids.b, toId: ids.c, type: 'CITES' } });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As root Chromium refuses to start sandboxed; the rest keeps it off the (closed) network.
      args: [
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.on('request', (request) => requestUrls.push(request.url()));
    page.on('websocket', (socket) => {
      socketUrls.push(socket.url());
      socket.on('framesent', (frame) => frames.push(`sent ${String(frame.payload).slice(0, 160)}`));
      socket.on('framereceived', (frame) => frames.push(`received ${String(frame.payload).slice(0, 160)}`));
      socket.on('close', () => frames.push('closed'));
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Replaces the operation in GraphiQL's editor by typing it, as a person would. */
  async function typeOperation(text: string): Promise<void> {
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(text); // Monaco closes brackets itself and types over its closers
    await expect.poll(() => editorText(), { timeout: 10_000 }).toBe(text);
  }
  const editorText = async () => normalise(await page.locator('.graphiql-query-editor .view-lines').innerText());
  const responseText = async () => normalise(await page.locator('.graphiql-response').innerText());
  const normalise = (text: string) => text.replace(/\u00a0/g, ' ').trim();

  it(
    'opens from / and takes an API key',
    async () => {
      await page.goto(`${server.url}/`);
      expect(new URL(page.url()).pathname).toBe('/explorer/');
      await expect.poll(() => page.locator('.graphiql-query-editor .monaco-editor').count(), { timeout: 60_000 }).toBeGreaterThan(0);
      await expect.poll(() => page.textContent('#api-key-status')).toContain('no key');
      await page.fill('#api-key', ADMIN_KEY);
      await page.click('#api-key-use');
      await expect.poll(() => page.textContent('#api-key-status')).toContain('key in use');
      // Kept for this tab only, and nowhere GraphiQL persists its own state.
      expect(await page.evaluate(() => sessionStorage.getItem('hivegraph.explorer.apiKey'))).toBe(ADMIN_KEY);
      const local = await page.evaluate(() => Object.values({ ...localStorage }).join('\n'));
      expect(local).not.toContain(ADMIN_KEY);
    },
    STEP_TIMEOUT,
  );

  it(
    'runs a query and shows the result',
    async () => {
      await typeOperation('{ me { handle } }');
      await page.click('.graphiql-execute-button');
      await expect.poll(responseText, { timeout: 30_000 }).toContain('"handle": "admin"');
    },
    STEP_TIMEOUT,
  );

  it(
    'runs a subscription over WebSocket and shows an event made elsewhere',
    async () => {
      await typeOperation('subscription { events { type artifact { title } } }');
      await page.click('.graphiql-execute-button');
      // Once the server has the subscriber, an artifact created over HTTP must show up live.
      const subscribed = async () =>
        server.services.events.subscriptionCount() > 0 ? 'subscribed' : `no subscriber yet; frames: ${frames.join(' | ') || 'none'}; response: ${await responseText()}`;
      await expect.poll(subscribed, { timeout: 30_000 }).toBe('subscribed');
      await ok(server, ADMIN_KEY, 'mutation ($input: CreateArtifactInput!) { createArtifact(input: $input) { id } }', {
        input: { kind: 'fact', title: 'Seen live in the explorer', content: 'made over HTTP', visibility: 'ORG' },
      });
      await expect.poll(responseText, { timeout: 30_000 }).toContain('"type": "ARTIFACT_CREATED"');
      expect(await responseText()).toContain('"title": "Seen live in the explorer"');
      expect(socketUrls.length).toBeGreaterThan(0);
      // Stop it (the run button stops a running subscription): the page completes the operation.
      await page.click('.graphiql-execute-button');
      await expect.poll(() => frames.filter((f) => f.startsWith('sent') && f.includes('"type":"complete"')).length, { timeout: 15_000 }).toBe(1);
    },
    STEP_TIMEOUT,
  );

  it(
    "draws an artifact's neighbourhood and re-centres on a click",
    async () => {
      await page.click('#tab-neighbourhood');
      await page.fill('#neighbourhood-id', ids.a);
      await page.click('#neighbourhood-show');
      const nodes = () => page.locator('#neighbourhood-graph .hg-node').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-distance')}:${e.querySelector('.hg-node-label')?.textContent}`).sort());
      await expect.poll(nodes, { timeout: 30_000 }).toEqual(['0:Alpha decision', '1:Beta service']);
      expect(await page.locator('#neighbourhood-graph .hg-edge').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual(['DEPENDS_ON']);

      await page.selectOption('#neighbourhood-depth', '2');
      await page.click('#neighbourhood-show');
      await expect.poll(nodes, { timeout: 30_000 }).toEqual(['0:Alpha decision', '1:Beta service', '2:Gamma paper']);

      await page.click(`#neighbourhood-graph .hg-node[data-id="${ids.b}"]`);
      await expect.poll(() => page.getAttribute('#neighbourhood-graph .hg-node-center', 'data-id'), { timeout: 30_000 }).toBe(ids.b);
      expect(await page.inputValue('#neighbourhood-id')).toBe(ids.b);
      expect(await nodes()).toEqual(['0:Beta service', '1:Alpha decision', '1:Gamma paper']);

      await page.fill('#neighbourhood-id', 'QXJ0aWZhY3Q6bm9wZQ');
      await page.click('#neighbourhood-show');
      await expect.poll(() => page.textContent('.hg-neighbourhood [role=alert]'), { timeout: 30_000 }).toBeTruthy();
    },
    STEP_TIMEOUT,
  );

  it('never put the key in a URL, loaded nothing from elsewhere, and broke no CSP rule', () => {
    const origin = new URL(server.url).origin;
    const all = [...requestUrls, ...socketUrls];
    expect(all.length).toBeGreaterThan(5);
    for (const url of all) {
      expect(url).not.toContain(ADMIN_KEY);
      if (!url.startsWith('data:')) expect(new URL(url).host, url).toBe(new URL(origin).host);
    }
    expect(problems).toEqual([]);
  });
}
