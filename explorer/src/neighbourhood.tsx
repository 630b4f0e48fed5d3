/**
 * The neighbourhood view: an artifact id in, a small SVG graph out — the artifact in the
 * middle, its visible neighbours (1 or 2 hops) around it, one ring per hop, relationships as
 * arrows labelled with their type. Clicking a node re-centres the view on it.
 */
import { useCallback, useMemo, useState, type KeyboardEvent } from 'react';
import type { Transport } from './fetcher.ts';
import { forceLayout, NEIGHBOURHOOD_QUERY, toNeighbourhood, type Neighbourhood, type NeighbourhoodData } from './neighbourhood-graph.ts';

type State =
  | { status: 'idle' }
  | { status: 'loading'; id: string }
  | { status: 'error'; message: string }
  | { status: 'ready'; graph: Neighbourhood };

const NODE_RADIUS = 20;

/** The view; `transport` carries the current API key. */
export function NeighbourhoodView({ transport }: { transport: Transport }) {
  const [idInput, setIdInput] = useState('');
  const [depth, setDepth] = useState(1);
  const [state, setState] = useState<State>({ status: 'idle' });

  const show = useCallback(
    async (id: string, hops: number) => {
      const trimmed = id.trim();
      if (trimmed === '') return;
      setIdInput(trimmed);
      setState({ status: 'loading', id: trimmed });
      const response = await transport.request<NeighbourhoodData>(NEIGHBOURHOOD_QUERY, { id: trimmed, depth: hops });
      if (response.errors?.length) {
        const [first] = response.errors;
        const code = first?.extensions?.['code'];
        setState({ status: 'error', message: `${first?.message ?? 'Request failed'}${typeof code === 'string' ? ` (${code})` : ''}` });
        return;
      }
      const graph = response.data ? toNeighbourhood(response.data) : undefined;
      setState(graph ? { status: 'ready', graph } : { status: 'error', message: `No artifact ${trimmed} (or you may not see it).` });
    },
    [transport],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') void show(idInput, depth);
  };

  return (
    <section className="hg-neighbourhood" aria-label="Neighbourhood view">
      <div className="hg-neighbourhood-controls">
        <label>
          Artifact id{' '}
          <input
            id="neighbourhood-id"
            value={idInput}
            onChange={(e) => setIdInput(e.target.value)}
            onKeyDown={onKeyDown}
            placeholder="global id, e.g. from { artifacts { edges { node { id } } } }"
            spellCheck={false}
            autoComplete="off"
          />
        </label>
        <label>
          Depth{' '}
          <select id="neighbourhood-depth" value={depth} onChange={(e) => setDepth(Number(e.target.value))}>
            <option value={1}>1 hop</option>
            <option value={2}>2 hops</option>
          </select>
        </label>
        <button id="neighbourhood-show" type="button" onClick={() => void show(idInput, depth)}>
          Show
        </button>
      </div>
      {state.status === 'idle' && <p className="hg-hint">Enter an artifact id to see the artifacts around it. Click a node to re-centre.</p>}
      {state.status === 'loading' && <p className="hg-hint">Loading {state.id}…</p>}
      {state.status === 'error' && (
        <p className="hg-error" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'ready' && <GraphDrawing graph={state.graph} onSelect={(id) => void show(id, depth)} />}
    </section>
  );
}

function GraphDrawing({ graph, onSelect }: { graph: Neighbourhood; onSelect: (id: string) => void }) {
  const positions = useMemo(() => forceLayout(graph), [graph]);
  // The drawing's bounding box, with room for labels (wide) and the smallest size of a lone node.
  const points = [...positions.values()];
  const box = {
    left: Math.min(-100, ...points.map((p) => p.x)) - 100,
    right: Math.max(100, ...points.map((p) => p.x)) + 100,
    top: Math.min(-60, ...points.map((p) => p.y)) - 50,
    bottom: Math.max(60, ...points.map((p) => p.y)) + 60,
  };
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <div className="hg-graph">
      <svg
        id="neighbourhood-graph"
        viewBox={squareViewBox(box)}
        role="img"
        aria-label={`Neighbourhood of ${byId.get(graph.centerId)?.label ?? graph.centerId}`}
      >
        <defs>
          <marker id="hg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="hg-arrow" />
          </marker>
        </defs>
        {graph.edges.map((edge) => {
          const a = positions.get(edge.from);
          const b = positions.get(edge.to);
          if (!a || !b) return null;
          const { d, label } = curvedEdge(a, b);
          return (
            <g key={edge.id} className="hg-edge" data-type={edge.type}>
              <path d={d} markerEnd="url(#hg-arrow)" />
              <text x={label.x} y={label.y - 4} textAnchor="middle">
                {edge.type}
              </text>
            </g>
          );
        })}
        {graph.nodes.map((node) => {
          const p = positions.get(node.id);
          if (!p) return null;
          const isCenter = node.id === graph.centerId;
          return (
            <g
              key={node.id}
              className={`hg-node${isCenter ? ' hg-node-center' : ''}`}
              data-id={node.id}
              data-distance={node.distance}
              transform={`translate(${p.x} ${p.y})`}
              role="button"
              tabIndex={0}
              aria-label={`${node.label} (${node.kind})${isCenter ? ', the centre' : ', click to re-centre'}`}
              onClick={() => !isCenter && onSelect(node.id)}
              onKeyDown={(e) => {
                if ((e.key === 'Enter' || e.key === ' ') && !isCenter) onSelect(node.id);
              }}
            >
              <title>{`${node.label}\n${node.kind} · ${node.id}`}</title>
              <circle r={NODE_RADIUS} />
              <text className="hg-node-label" y={NODE_RADIUS + 14} textAnchor="middle">
                {truncate(node.label, 26)}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="hg-node-list">
        <thead>
          <tr>
            <th>hops</th>
            <th>title</th>
            <th>kind</th>
            <th>id</th>
          </tr>
        </thead>
        <tbody>
          {[...graph.nodes]
            .sort((a, b) => a.distance - b.distance)
            .map((node) => (
              <tr key={node.id} data-id={node.id}>
                <td>{node.distance}</td>
                <td>
                  {node.id === graph.centerId ? (
                    <strong>{node.label}</strong>
                  ) : (
                    <button type="button" className="hg-link" onClick={() => onSelect(node.id)}>
                      {node.label}
                    </button>
                  )}
                </td>
                <td>{node.kind}</td>
                <td>
                  <code>{node.id}</code>
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A gentle curve from circle `a` to circle `b`, bent to the left of its direction (so A→B and
 * B→A do not overlap, and an edge between opposite nodes misses the centre), trimmed at both
 * rims so the arrowhead shows; `label` is the curve's midpoint.
 */
function curvedEdge(a: { x: number; y: number }, b: { x: number; y: number }) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy) || 1;
  const bend = 0.12 * length;
  const c = { x: (a.x + b.x) / 2 - (dy / length) * bend, y: (a.y + b.y) / 2 + (dx / length) * bend };
  const towards = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    const l = Math.hypot(to.x - from.x, to.y - from.y) || 1;
    return { x: (to.x - from.x) / l, y: (to.y - from.y) / l };
  };
  const s = towards(a, c);
  const e = towards(c, b);
  const start = { x: a.x + s.x * NODE_RADIUS, y: a.y + s.y * NODE_RADIUS };
  const end = { x: b.x - e.x * NODE_RADIUS, y: b.y - e.y * NODE_RADIUS };
  const fixed = (n: number) => n.toFixed(1);
  return {
    d: `M ${fixed(start.x)} ${fixed(start.y)} Q ${fixed(c.x)} ${fixed(c.y)} ${fixed(end.x)} ${fixed(end.y)}`,
    label: { x: 0.25 * start.x + 0.5 * c.x + 0.25 * end.x, y: 0.25 * start.y + 0.5 * c.y + 0.25 * end.y },
  };
}

/** A square viewBox around `box`, so every drawing shows at one scale per size of graph. */
function squareViewBox(box: { left: number; right: number; top: number; bottom: number }): string {
  const side = Math.max(box.right - box.left, box.bottom - box.top);
  const x = (box.left + box.right - side) / 2;
  const y = (box.top + box.bottom - side) / 2;
  return `${x.toFixed(1)} ${y.toFixed(1)} ${side.toFixed(1)} ${side.toFixed(1)}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
