/**
 * Evaluates the small subset of CEL the project's admission policy uses: `!`, `&&`, `||`, `==`,
 * `!=`, `in [list]`, `has(a.b.c)`, member access, string/number/bool literals and parentheses, with
 * CEL's short-circuit and its error on a missing key. Parsed to a tree, then evaluated. Anything
 * outside the subset throws, so a richer expression cannot pass untested.
 */
type Node =
  | { t: 'lit'; v: unknown } | { t: 'path'; parts: string[] } | { t: 'has'; parts: string[] } | { t: 'list'; items: Node[] }
  | { t: 'not'; a: Node } | { t: 'and' | 'or' | 'eq' | 'ne' | 'in'; a: Node; b: Node };

const TOKEN = /\s*(?:(\|\||&&|==|!=|[!()[\],.])|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))\s*/y;

function parse(expression: string): Node {
  const toks: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expression);
    if (!m) throw new Error(`cel-lite: cannot read "${expression.slice(at)}"`);
    toks.push(m[0].trim());
  }
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const expect = (t: string) => { if (next() !== t) throw new Error(`cel-lite: expected ${t}`); };
  const parts = (): string[] => {
    const out = [next()];
    while (peek() === '.') { next(); out.push(next()); }
    return out;
  };
  const primary = (): Node => {
    const t = peek();
    if (t === '(') { next(); const v = or(); expect(')'); return v; }
    if (t === '[') {
      next();
      const items: Node[] = [];
      while (peek() !== ']') { items.push(or()); if (peek() === ',') next(); }
      next();
      return { t: 'list', items };
    }
    if (t === 'has') { next(); expect('('); const p = parts(); expect(')'); return { t: 'has', parts: p }; }
    if (t === 'true' || t === 'false') { next(); return { t: 'lit', v: t === 'true' }; }
    if (t !== undefined && /^['"]/.test(t)) { next(); return { t: 'lit', v: t.slice(1, -1) }; }
    if (t !== undefined && /^\d/.test(t)) { next(); return { t: 'lit', v: Number(t) }; }
    if (t !== undefined && /^[A-Za-z_]/.test(t)) return { t: 'path', parts: parts() };
    throw new Error(`cel-lite: unexpected ${t}`);
  };
  const unary = (): Node => (peek() === '!' ? (next(), { t: 'not', a: unary() }) : primary());
  const relation = (): Node => {
    const a = unary();
    const op = peek();
    if (op === 'in') { next(); return { t: 'in', a, b: unary() }; }
    if (op === '==') { next(); return { t: 'eq', a, b: unary() }; }
    if (op === '!=') { next(); return { t: 'ne', a, b: unary() }; }
    return a;
  };
  const and = (): Node => { let a = relation(); while (peek() === '&&') { next(); a = { t: 'and', a, b: relation() }; } return a; };
  const or = (): Node => { let a = and(); while (peek() === '||') { next(); a = { t: 'or', a, b: and() }; } return a; };
  const tree = or();
  if (i !== toks.length) throw new Error(`cel-lite: trailing ${toks.slice(i).join(' ')}`);
  return tree;
}

function lookup(vars: Record<string, unknown>, parts: string[]): { found: boolean; value?: unknown } {
  let v: unknown = vars;
  for (const p of parts) {
    if (v === null || typeof v !== 'object' || !(p in (v as object))) return { found: false };
    v = (v as Record<string, unknown>)[p];
  }
  return { found: true, value: v };
}

function evaluate(n: Node, vars: Record<string, unknown>): unknown {
  switch (n.t) {
    case 'lit': return n.v;
    case 'list': return n.items.map((x) => evaluate(x, vars));
    case 'has': return lookup(vars, n.parts).found;
    case 'path': {
      const r = lookup(vars, n.parts);
      if (!r.found) throw new Error(`cel-lite: no such key ${n.parts.join('.')} (CEL errors; guard it with has())`);
      return r.value;
    }
    case 'not': return !evaluate(n.a, vars);
    case 'and': return Boolean(evaluate(n.a, vars)) && Boolean(evaluate(n.b, vars));
    case 'or': return Boolean(evaluate(n.a, vars)) || Boolean(evaluate(n.b, vars));
    case 'eq': return evaluate(n.a, vars) === evaluate(n.b, vars);
    case 'ne': return evaluate(n.a, vars) !== evaluate(n.b, vars);
    case 'in': return (evaluate(n.b, vars) as unknown[]).includes(evaluate(n.a, vars));
  }
}

export function evalCel(expression: string, vars: Record<string, unknown>): unknown {
  return evaluate(parse(expression), vars);
}
