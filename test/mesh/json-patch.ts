/** Applies RFC 6902 "add" operations (all the injector emits), independently of the injector. */
export interface AddOp {
  op: string;
  path: string;
  value: unknown;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function applyPatch<T>(doc: T, ops: readonly AddOp[]): T {
  const out = structuredClone(doc) as unknown;
  for (const op of ops) {
    if (op.op !== 'add') throw new Error(`unsupported op ${op.op}`);
    const tokens = op.path.split('/').slice(1).map(unescape);
    const last = tokens.pop()!;
    let node = out as Record<string, unknown> | unknown[];
    for (const t of tokens) {
      const next = Array.isArray(node) ? node[Number(t)] : node[t];
      if (typeof next !== 'object' || next === null) throw new Error(`path ${op.path}: ${t} does not exist`);
      node = next as Record<string, unknown> | unknown[];
    }
    if (Array.isArray(node)) {
      if (last === '-') node.push(op.value);
      else node.splice(Number(last), 0, op.value);
    } else {
      node[last] = op.value;
    }
  }
  return out as T;
}
