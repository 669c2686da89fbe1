import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A model as the hub's model list API (`/api/models?library=transformers.js…`) lists it. */
export function modelListEntry(id: string) {
  return {
    _id: id,
    id,
    modelId: id,
    library_name: 'transformers.js',
    pipeline_tag: 'text-generation',
    tags: ['transformers.js', 'onnx', 'text-generation'],
  };
}

const isLfs = (name: string) => /\.onnx(_data)?$/.test(name);

/** The real hub's answers computed from a folder of repositories (ServeOptions.realHub in hubMirror.ts). */
export class RealHub {
  private readonly shaOf = new Map<string, string>();
  private readonly byHash = new Map<string, string>();
  constructor(private readonly root: string) {}

  private repoDir(id: string): string | null {
    const dir = join(this.root, id, 'resolve/main');
    return /^[\w.-]+\/[\w.-]+$/.test(id) && existsSync(join(dir, 'config.json')) ? dir : null;
  }

  sha256(file: string): string {
    let h = this.shaOf.get(file);
    if (!h) {
      h = createHash('sha256').update(readFileSync(file)).digest('hex');
      this.shaOf.set(file, h);
      this.byHash.set(h, file);
    }
    return h;
  }

  private entries(dir: string, prefix: string, recursive: boolean): unknown[] {
    return readdirSync(dir).flatMap((name) => {
      const full = join(dir, name);
      const path = prefix + name;
      if (statSync(full).isDirectory()) {
        const own = { type: 'directory', oid: createHash('sha1').update(path).digest('hex'), size: 0, path };
        return recursive ? [own, ...this.entries(full, `${path}/`, true)] : [own];
      }
      const size = statSync(full).size;
      const oid = createHash('sha1').update(readFileSync(full)).digest('hex');
      return [
        isLfs(name)
          ? { type: 'file', oid, size, path, lfs: { oid: this.sha256(full), size, pointerSize: 134 } }
          : { type: 'file', oid, size, path },
      ];
    });
  }

  /** What the hub answers for this path, or null (then the file is served as it is). */
  answer(
    path: string,
    query: URLSearchParams,
  ): { status: number; json?: unknown; headers?: Record<string, string>; file?: string } | null {
    if (path === '/api/models' || path === '/api/models/') {
      const owners = readdirSync(this.root).filter(
        (o) => o !== 'api' && o !== 'datasets' && statSync(join(this.root, o)).isDirectory(),
      );
      const ids = owners
        .flatMap((o) => readdirSync(join(this.root, o)).map((n) => `${o}/${n}`))
        .filter((id) => this.repoDir(id));
      return { status: 200, json: ids.map(modelListEntry) };
    }
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/[^/]+\/?(.*)$/.exec(path);
    if (tree) {
      const dir = this.repoDir(tree[1]!);
      if (!dir) return { status: 404, json: { error: 'Repository not found' } };
      const sub = tree[2]!.replace(/\/$/, '');
      const folder = join(dir, sub);
      if (!existsSync(folder) || !statSync(folder).isDirectory())
        return { status: 404, json: { error: `${sub} does not exist on "main"` } };
      return { status: 200, json: this.entries(folder, sub ? `${sub}/` : '', query.get('recursive') === 'true') };
    }
    const resolved = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(path);
    if (resolved && isLfs(resolved[2]!)) {
      const dir = this.repoDir(resolved[1]!);
      const file = dir && join(dir, resolved[2]!);
      if (!file || !existsSync(file)) return { status: 404, json: { error: 'Entry not found' } };
      const sha = this.sha256(file);
      return {
        status: 302,
        headers: {
          Location: `/cdn-lfs/${sha}`,
          'X-Linked-Etag': `"${sha}"`,
          'X-Linked-Size': String(statSync(file).size),
          ETag: `"${sha}"`,
        },
      };
    }
    const cdn = /^\/cdn-lfs\/([0-9a-f]{64})$/.exec(path);
    if (cdn) {
      const file = this.byHash.get(cdn[1]!);
      return file ? { status: 200, file } : { status: 404, json: { error: 'not found' } };
    }
    return null;
  }
}
