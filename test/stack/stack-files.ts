// Reads the deployment files as Docker Compose, nginx and Docker would, for the stack tests (no Docker engine
// runs here): docker-compose.yml parsed with YAML merge keys and interpolated from an environment the way
// Compose does (`${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `$$`), .env.example, nginx upstreams and
// Dockerfile stages.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const sharedSchemas = join(root, '..', 'shared', 'schemas');

export function readRepoFile(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

export function repoPathExists(path: string): boolean {
  return existsSync(join(root, path));
}

/** Whether git ignores a path (git only reads here: nothing in the tree changes). */
export function gitIgnores(path: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '--quiet', path], { cwd: root, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export type Env = Record<string, string>;

export interface HealthcheckSpec {
  readonly test?: string[] | string;
  readonly disable?: boolean;
}

export interface BindMount {
  readonly type: string;
  readonly source?: string;
  readonly target: string;
  readonly bind?: { create_host_path?: boolean };
}

export interface ServiceSpec {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: string[];
  readonly environment?: Record<string, string>;
  readonly depends_on?: Record<string, { condition: string }>;
  readonly healthcheck?: HealthcheckSpec;
  readonly ports?: string[];
  readonly volumes?: (string | BindMount)[];
  readonly profiles?: string[];
  readonly restart?: string;
  readonly networks?: Record<string, { ipv4_address?: string } | null>;
}

export interface ComposeFile {
  readonly services: Record<string, ServiceSpec>;
  readonly volumes?: Record<string, unknown>;
  readonly networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } }>;
}

function readComposeRaw(): unknown {
  return parse(readRepoFile('docker-compose.yml'), { merge: true });
}

const variable = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compose's interpolation of one string; a `?` form whose variable is unset (or empty, with `:?`) throws. */
export function interpolate(text: string, env: Env): string {
  return text.replace(variable, (whole, braced?: string, operator?: string, argument = '', bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = env[name];
    const missing = value === undefined || (operator?.startsWith(':') === true && value === '');
    if (operator?.endsWith('-')) return missing ? argument : (value as string);
    if (operator?.endsWith('?')) {
      if (missing) throw new Error(`required variable ${name} is missing a value: ${argument}`);
      return value as string;
    }
    return value ?? '';
  });
}

/** Every variable name the text interpolates. */
export function interpolatedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(variable)) {
    const name = match[1] ?? match[4];
    if (name) names.add(name);
  }
  return names;
}

function interpolateDeep(value: unknown, env: Env): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateDeep(item, env)]));
  }
  return value;
}

export function readCompose(env: Env): ComposeFile {
  return interpolateDeep(readComposeRaw(), env) as ComposeFile;
}

/** `.env.example` as written: active assignments, and the ones left commented out (`# NAME=value`). */
export function readEnvExample(): { active: Env; commented: Env } {
  const active: Env = {};
  const commented: Env = {};
  for (const line of readRepoFile('.env.example').split('\n')) {
    const assignment = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!assignment) continue;
    (assignment[1] ? commented : active)[assignment[2] as string] = assignment[3] as string;
  }
  return { active, commented };
}

/** `.env.example` with each empty (required) value filled by a placeholder, as a person filling it in would. */
export function exampleEnv(extra: Env = {}): Env {
  const { active } = readEnvExample();
  const filled = Object.fromEntries(
    Object.entries(active).map(([name, value]) => [
      name,
      value === '' ? `placeholder-${name.toLowerCase().replaceAll('_', '-')}-0123456789` : value,
    ]),
  );
  return { ...filled, ...extra };
}

/** A published port `127.0.0.1:3001:3000` as its parts. */
export function parsePort(spec: string): { hostIp?: string; published: number; target: number } {
  const parts = spec.split(':');
  const target = Number(parts.at(-1));
  const published = Number(parts.at(-2) ?? target);
  return parts.length === 3 ? { hostIp: parts[0] as string, published, target } : { published, target };
}

export function bindMounts(service: ServiceSpec): BindMount[] {
  return (service.volumes ?? []).flatMap((volume): BindMount[] => {
    if (typeof volume === 'object') return volume.type === 'bind' ? [volume] : [];
    const [source, target] = volume.split(':') as [string, string];
    return source.startsWith('.') || source.startsWith('/') ? [{ type: 'bind', source, target }] : [];
  });
}

/** The URL a `node -e "fetch('…')"` or `wget … URL` healthcheck asks. */
export function healthcheckUrl(service: ServiceSpec): URL | undefined {
  const test = service.healthcheck?.test;
  const text = Array.isArray(test) ? test.join(' ') : (test ?? '');
  const found = /https?:\/\/[^\s'")]+/.exec(text);
  return found ? new URL(found[0]) : undefined;
}

export interface NginxUpstream {
  readonly name: string;
  readonly servers: { host: string; port: number; parameters: string }[];
}

/** The upstream blocks, listen ports and `location … { proxy_pass … }` pairs of an nginx.conf. */
export function parseNginx(text: string): {
  upstreams: NginxUpstream[];
  listen: number[];
  proxyPasses: { location: string; target: string }[];
} {
  const withoutComments = text.replace(/#[^\n]*/g, '');
  const upstreams = [...withoutComments.matchAll(/upstream\s+(\S+)\s*\{([^}]*)\}/g)].map((block) => ({
    name: block[1] as string,
    servers: [...(block[2] as string).matchAll(/^\s*server\s+([^:\s]+):(\d+)([^;]*);/gm)].map((server) => ({
      host: server[1] as string,
      port: Number(server[2]),
      parameters: (server[3] as string).trim(),
    })),
  }));
  const listen = [...withoutComments.matchAll(/^\s*listen\s+(\d+)/gm)].map((match) => Number(match[1]));
  const proxyPasses = [
    ...withoutComments.matchAll(/location\s+([^{]+?)\s*\{[^}]*proxy_pass\s+([^;\s]+);/g),
  ].map((match) => ({ location: match[1] as string, target: match[2] as string }));
  return { upstreams, listen, proxyPasses };
}

export interface DockerStage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: { keyword: string; args: string }[];
}

/** Dockerfile stages with `ARG` defaults declared before the first FROM substituted into the images. */
export function parseDockerfile(text: string): DockerStage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const args: Env = {};
  const stages: { image: string; name?: string; instructions: { keyword: string; args: string }[] }[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const argsText = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [image = '', as, name] = argsText.split(/\s+/);
      const resolved = interpolate(image, args);
      stages.push(
        as?.toUpperCase() === 'AS' && name
          ? { image: resolved, name, instructions: [] }
          : {
              image: resolved,
              instructions: [],
            },
      );
    } else if (stages.length === 0 && keyword.toUpperCase() === 'ARG') {
      const [name = '', value = ''] = argsText.split('=');
      args[name] = value;
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args: argsText });
    }
  }
  return stages;
}

/** An image reference pinned to a version: a tag that starts with a version number, never `latest`. */
export function isPinnedImage(image: string): boolean {
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  return tag !== undefined && /^v?\d+(\.\d+)+/.test(tag);
}
