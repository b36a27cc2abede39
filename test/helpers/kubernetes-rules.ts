/**
 * What the Kubernetes API server and its controllers insist on beyond the OpenAPI schema (which
 * types fields but does not check names, or that selectors match): each exported stream is
 * held to these too, so `kubectl apply` would not refuse it and the objects would find each
 * other once applied.
 */
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

type Labels = Record<string, string>;
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels };
  spec: Record<string, any>;
}

const within = (selector: Labels | undefined, labels: Labels | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Every rule the objects break, as sentences; empty when `kubectl apply` would take them and they would work together. */
export function kubernetesRuleProblems(objects: Obj[]): string[] {
  const problems: string[] = [];
  const say = (o: Obj, what: string) => problems.push(`${o.kind} ${o.metadata?.name}: ${what}`);
  const services = objects.filter((o) => o.kind === 'Service');
  const sets = objects.filter((o) => o.kind === 'StatefulSet');
  const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const names = new Set<string>();
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata.name}`;
    if (names.has(key)) say(o, 'appears twice');
    names.add(key);
    if (!(o.kind === 'Service' ? DNS_1035 : DNS_1123_LABEL).test(o.metadata.name) || o.metadata.name.length > 63) say(o, 'is not a valid name');
    for (const [k, v] of Object.entries(o.metadata.labels ?? {})) if (!LABEL_VALUE.test(v) || v.length > 63) say(o, `label ${k}=${v} is not a valid label value`);
  }
  for (const svc of services) {
    if (!sets.some((s) => within(svc.spec.selector, s.spec.template.metadata.labels))) say(svc, 'selects no pod of any StatefulSet');
    for (const p of svc.spec.ports ?? []) {
      if (typeof p.targetPort === 'string' && !sets.some((s) => s.spec.template.spec.containers.some((c: any) => c.ports?.some((cp: any) => cp.name === p.targetPort)))) say(svc, `targetPort ${p.targetPort} names no container port`);
    }
  }
  for (const set of sets) {
    const labels: Labels = set.spec.template.metadata.labels;
    // The controller labels each pod with `<name>-<revision hash>`, which must fit in 63 characters.
    if (set.metadata.name.length > 52) say(set, 'name is longer than 52 characters (its pods\' revision label would not fit)');
    if (`${set.metadata.name}-${set.spec.replicas - 1}`.length > 63) say(set, 'its pods\' host names would pass 63 characters');
    if (!within(set.spec.selector?.matchLabels, labels)) say(set, 'selector does not match its pod template\'s labels');
    const headless = services.find((s) => s.metadata.name === set.spec.serviceName);
    if (!headless) say(set, `serviceName ${set.spec.serviceName} is no Service here`);
    else {
      if (headless.spec.clusterIP !== 'None') say(set, `${headless.metadata.name} is not headless`);
      if (headless.spec.publishNotReadyAddresses !== true) say(set, `${headless.metadata.name} does not publish pods that are not ready (a quorum forms before any is ready)`);
      if (!within(headless.spec.selector, labels)) say(set, `${headless.metadata.name} does not select its pods`);
    }
    const anti = set.spec.template.spec.affinity?.podAntiAffinity;
    const terms = [...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => t.podAffinityTerm)];
    if (!terms.length) say(set, 'has no pod anti-affinity');
    for (const t of terms) if (!within(t.labelSelector?.matchLabels, labels)) say(set, 'anti-affinity does not match its own pods\' labels');
    const claims = new Set((set.spec.volumeClaimTemplates ?? []).map((c: Obj) => c.metadata.name));
    const volumes = new Set((set.spec.template.spec.volumes ?? []).map((v: { name: string }) => v.name));
    for (const v of set.spec.template.spec.volumes ?? []) {
      if (claims.has(v.name)) say(set, `volume ${v.name} is also a volumeClaimTemplate`);
      if (v.secret && !DNS_1123_SUBDOMAIN.test(v.secret.secretName ?? '')) say(set, `volume ${v.name} names no valid Secret`);
    }
    for (const c of set.spec.template.spec.containers) {
      for (const m of c.volumeMounts ?? []) if (!claims.has(m.name) && !volumes.has(m.name)) say(set, `volumeMount ${m.name} has no volumeClaimTemplate or volume`);
      const paths = (c.volumeMounts ?? []).map((m: { mountPath: string }) => m.mountPath);
      if (new Set(paths).size !== paths.length) say(set, `two volumeMounts share a mountPath: ${paths.join(', ')}`);
      for (const p of c.ports ?? []) if (!PORT_NAME.test(p.name) || p.name.length > 15) say(set, `port name ${p.name} is not valid`);
      for (const e of c.env ?? []) if (!ENV_NAME.test(e.name)) say(set, `env name ${e.name} is not valid`);
    }
  }
  for (const b of budgets) {
    const voters = sets.filter((s) => within(b.spec.selector?.matchLabels, s.spec.template.metadata.labels));
    if (voters.length !== 1 || voters[0]!.metadata.labels?.['app.kubernetes.io/component'] !== 'voter') say(b, 'does not select exactly the voters');
  }
  return problems;
}
