/**
 * The ensemble as Kubernetes objects (pure): a headless Service that gives every pod its
 * stable name (published before the pods are ready, since a quorum forms among pods that are
 * not ready yet), a client Service, a PodDisruptionBudget that keeps a quorum of voters, and a
 * StatefulSet of the official image for the voters — and a second one for observers, whose
 * zoo.cfg differs — each pod taking its myid from its ordinal.
 *
 * The documents are typed with kubernetes-models' interfaces, so a misspelt field is a compile
 * error (its validators, which the tests run, do not refuse unknown fields).
 */
import type { IService } from 'kubernetes-models/v1/Service';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IIoK8sApiCoreV1Container as Container } from 'kubernetes-models/v1/Container';
import type { IIoK8sApiCoreV1Probe as Probe } from 'kubernetes-models/v1/Probe';
import type { IIoK8sApiCoreV1Volume as Volume } from 'kubernetes-models/v1/Volume';
import type { IIoK8sApiCoreV1VolumeMount as VolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { ALIVE_CHECK, allowsWord, DATA_DIR, DATA_LOG_DIR, IMAGE, IMAGE_UID, literal, PORTS, serverEnvironment, SERVING_CHECK } from './image.js';
import type { ExportModel, ExportServer } from './model.js';
import { notCarriedLines } from './notes.js';
import type { CommentedDocument } from './render.js';
import { jaasContents, plainClientPort, SECRET_FILES, securityJvm, securitySettings, type SecretPaths } from './security.js';
import { versionFacts } from '../zk/version-facts.js';

/** Room left in a 63-character DNS label for `-observers`, an ordinal, and the controller's revision hash. */
const MAX_BASE = 40;

/**
 * A DNS-1035 label for the ensemble's objects: lowercase letters, digits and `-`, starting
 * with a letter. Ensemble names allow capitals, `.` and `_`, which Service names do not.
 */
export function kubernetesName(name: string): string {
  let n = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(n)) n = `zk-${n}`;
  return n.slice(0, MAX_BASE).replace(/-+$/, '');
}

/** The names of every object, from the ensemble's name. */
export function kubernetesNames(model: ExportModel) {
  const base = kubernetesName(model.name);
  return { base, headless: `${base}-hs`, client: `${base}-cs`, budget: `${base}-pdb`, voters: base, observers: `${base}-observers`, tlsSecret: `${base}-tls`, jaasSecret: `${base}-jaas` };
}

/** Where each pod mounts the user's Secrets (read-only), and so the paths zoo.cfg and JVMFLAGS name. */
const TLS_MOUNT = '/secrets/tls';
const JAAS_MOUNT = '/secrets/jaas';
const MOUNTED: SecretPaths = {
  keyStore: `${TLS_MOUNT}/${SECRET_FILES.keyStore}`,
  trustStore: `${TLS_MOUNT}/${SECRET_FILES.trustStore}`,
  jaas: `${JAAS_MOUNT}/${SECRET_FILES.jaas}`,
};
/** Secret files readable by the image's user through fsGroup, and by no one else: 0440. */
const SECRET_MODE = 0o440;

/** Extra memory a container gets beyond the heap: metaspace, code cache, thread stacks, direct buffers. */
const NON_HEAP_MB = 256;
const VOLUME_SIZE = '10Gi';

/**
 * Starts a pod's server: myid from the pod's ordinal (its name ends in `-N`), offset by the ids
 * before this StatefulSet's, then the image's own entrypoint and command. The entrypoint keeps
 * a myid it finds on the volume, and a pod keeps its ordinal, so the id never changes.
 */
function startScript(firstId: number): string {
  return `ordinal=\${POD_NAME##*-}; export ZOO_MY_ID=$((ordinal + ${firstId})); exec /docker-entrypoint.sh zkServer.sh start-foreground`;
}

const execProbe = (command: string, p: Omit<Probe, 'exec'>): Probe => ({ exec: { command: ['bash', '-c', command] }, ...p });

/** The header lines that name the Secrets a secured ensemble needs, their keys, and how to make them. */
function kubernetesSecretLines(model: ExportModel, names: ReturnType<typeof kubernetesNames>): string[] {
  const sec = model.security;
  if (!sec) return [];
  const lines = ['Secured: create these Secrets first, from your own CA and users (nothing secret is in this file; the pods wait for them):'];
  if (sec.tls) {
    lines.push(
      `  Secret ${names.tlsSecret}, keys ${SECRET_FILES.trustStore} (your CA's certificate(s), PEM) and ${SECRET_FILES.keyStore} (the servers' key store: an unencrypted PKCS#8 private key, then its certificate and chain, PEM),`,
      `    one key store every pod shares (a StatefulSet's pods share one template): its certificate serves both TLS ends (serverAuth and clientAuth) and names *.${names.headless}, *.${names.headless}.<namespace>.svc.cluster.local, ${names.client} and ${names.client}.<namespace>.svc;`,
      `    kubectl create secret generic ${names.tlsSecret} --from-file=${SECRET_FILES.trustStore}=<your CA certificate> --from-file=${SECRET_FILES.keyStore}=<key and certificate chain>`,
    );
  }
  if (sec.sasl) {
    lines.push(
      `  Secret ${names.jaasSecret}, key ${SECRET_FILES.jaas}: the servers' JAAS file, ${jaasContents(sec, versionFacts(model.version).quorumSasl)};`,
      `    kubectl create secret generic ${names.jaasSecret} --from-file=${SECRET_FILES.jaas}=<your JAAS file>`,
    );
  }
  if (sec.tls) lines.push(`TLS: clients ${plainClientPort(model) ? 'may' : 'must'} use port ${PORTS.secureClient}${plainClientPort(model) ? ` (the plain ${PORTS.client} stays open)` : ` (no plain port: TLS only)`}, with a certificate your CA signed where ssl.clientAuth=${sec.tls.clientAuth} asks for one.`);
  if (sec.sasl) lines.push('SASL (DIGEST-MD5) is enforced: clients log in with a JAAS Client section naming a user of the Server section.');
  return lines;
}

export function kubernetesDocuments(model: ExportModel): CommentedDocument[] {
  const names = kubernetesNames(model);
  const instance = { 'app.kubernetes.io/name': 'zookeeper', 'app.kubernetes.io/instance': names.base };
  const voters = model.servers.filter((s) => s.peerType === 'participant');
  const observers = model.servers.filter((s) => s.peerType === 'observer');
  const hostOf = (s: ExportServer) => {
    const [set, ordinal] = s.peerType === 'participant' ? [names.voters, s.id - 1] : [names.observers, s.id - voters.length - 1];
    return `${set}-${ordinal}.${names.headless}`;
  };
  const whitelist = model.settings.find(([k]) => k === '4lw.commands.whitelist')?.[1] ?? '*';
  const sec = model.security;
  const plain = plainClientPort(model);
  const security = sec ? { settings: securitySettings(model, MOUNTED), jvmFlags: securityJvm(model, MOUNTED), plainClient: plain } : undefined;
  const secretVolumes: Volume[] = [
    ...(sec?.tls ? [{ name: 'tls', secret: { secretName: names.tlsSecret, defaultMode: SECRET_MODE } }] : []),
    ...(sec?.sasl ? [{ name: 'jaas', secret: { secretName: names.jaasSecret, defaultMode: SECRET_MODE } }] : []),
  ];
  const secretMounts: VolumeMount[] = [
    ...(sec?.tls ? [{ name: 'tls', mountPath: TLS_MOUNT, readOnly: true }] : []),
    ...(sec?.sasl ? [{ name: 'jaas', mountPath: JAAS_MOUNT, readOnly: true }] : []),
  ];
  const clientPorts = [
    ...(plain ? [{ name: 'client', port: PORTS.client }] : []),
    ...(sec?.tls ? [{ name: 'client-tls', port: PORTS.secureClient }] : []),
  ];

  const headless: IService = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: names.headless, labels: instance },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: instance,
      ports: [{ name: 'quorum', port: PORTS.quorum }, { name: 'election', port: PORTS.election }],
    },
  };
  const client: IService = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: names.client, labels: instance },
    spec: { selector: instance, ports: clientPorts.map((p) => ({ ...p, targetPort: p.name })) },
  };
  // Voluntary disruptions (a drain, an upgrade) may take down as many voters as a quorum can spare.
  const majority = Math.floor(voters.length / 2) + 1;
  const budget: IPodDisruptionBudget = {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    metadata: { name: names.budget, labels: instance },
    spec: { maxUnavailable: voters.length - majority, selector: { matchLabels: { ...instance, 'app.kubernetes.io/component': 'voter' } } },
  };

  const statefulSet = (set: string, members: ExportServer[], component: 'voter' | 'observer'): IStatefulSet => {
    const labels = { ...instance, 'app.kubernetes.io/component': component };
    const env = serverEnvironment(model, {
      observer: component === 'observer',
      hostOf,
      // A pod's own name resolves only once its address is published: listening on every
      // address of the pod keeps a slow DNS record from failing the first election.
      engineSettings: [['quorumListenOnAllIPs', 'true']],
      ...(security ? { security } : {}),
    });
    // With TLS only there is no plain port for srvr or ruok, and a four-letter word over TLS needs
    // a client certificate and a TLS client the image lacks: both probes check that the TLS
    // listener accepts connections (it does from the server's start, serving or not).
    const tlsPort: Probe = { tcpSocket: { port: 'client-tls' } };
    const container: Container = {
      name: 'zookeeper',
      image: `${IMAGE}:${model.version.text}`,
      command: ['bash', '-c', literal(startScript(members[0]!.id))],
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ...Object.entries(env).map(([name, value]) => ({ name, value: literal(value) })),
      ],
      ports: [
        ...clientPorts.map((p) => ({ name: p.name, containerPort: p.port })),
        { name: 'quorum', containerPort: PORTS.quorum },
        { name: 'election', containerPort: PORTS.election },
      ],
      readinessProbe: plain
        ? execProbe(SERVING_CHECK, { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 })
        : { ...tlsPort, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
      // Alive, even while electing; a tcp probe where the whitelist leaves ruok out.
      livenessProbe: !plain
        ? { ...tlsPort, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 }
        : allowsWord(whitelist, 'ruok')
        ? execProbe(ALIVE_CHECK, { initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 })
        : { tcpSocket: { port: 'client' }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
      resources: {
        requests: { memory: `${model.heapMb + NON_HEAP_MB}Mi`, cpu: '250m' },
        limits: { memory: `${model.heapMb + NON_HEAP_MB}Mi` },
      },
      volumeMounts: [
        { name: 'data', mountPath: DATA_DIR, subPath: 'data' },
        { name: 'data', mountPath: DATA_LOG_DIR, subPath: 'datalog' },
        ...secretMounts,
      ],
    };
    return {
      apiVersion: 'apps/v1', kind: 'StatefulSet',
      metadata: { name: set, labels },
      spec: {
        serviceName: names.headless,
        replicas: members.length,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { fsGroup: IMAGE_UID },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{
                  weight: 100,
                  podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: instance } },
                }],
              },
            },
            containers: [container],
            ...(secretVolumes.length ? { volumes: secretVolumes } : {}),
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: VOLUME_SIZE } } },
        }],
      },
    };
  };

  const setComments = (what: string) => [
    { path: ['spec', 'podManagementPolicy'], text: 'all pods at once: a server is ready only once a quorum serves, so one-by-one would wait forever' },
    { path: ['spec', 'template', 'spec', 'affinity'], text: `spread over nodes: matches every pod of "${names.base}"; preferred, so a one-node cluster still runs (make it required in production)` },
    { path: ['spec', 'template', 'spec', 'containers', 0, 'command'], text: `myid from the pod's ordinal (${what}); $$ is how Kubernetes spells a literal $` },
    { path: ['spec', 'template', 'spec', 'containers', 0, 'env'], text: 'the image writes zoo.cfg from these; quorumListenOnAllIPs lets a server listen before its own name resolves' },
    { path: ['spec', 'volumeClaimTemplates'], text: `one volume per pod for snapshots (${DATA_DIR}) and transaction logs (${DATA_LOG_DIR}); size it to your data` },
    ...(secretVolumes.length ? [{ path: ['spec', 'template', 'spec', 'volumes'], text: `your Secrets (${[sec?.tls ? names.tlsSecret : '', sec?.sasl ? names.jaasSecret : ''].filter(Boolean).join(', ')}; see the first document's comments), mounted read-only where zoo.cfg and JVMFLAGS name them` }] : []),
    ...(!plain ? [{ path: ['spec', 'template', 'spec', 'containers', 0, 'readinessProbe'], text: 'TLS only: no plain port for srvr; ready once the TLS listener accepts connections (it does from the start, so this does not wait for a quorum)' }] : []),
  ];
  const firstObserver = observers[0]?.id;
  // The classic client ports on this machine, one per pod.
  const forwards = model.servers.map((s, i) => ({ pod: hostOf(s).split('.')[0]!, port: PORTS.client + i }));
  const connect = plain ? `${names.client}:${PORTS.client}` : `${names.client}:${PORTS.secureClient} (TLS)`;
  const secureForwards = model.servers.map((s, i) => ({ pod: hostOf(s).split('.')[0]!, port: PORTS.secureClient + i }));
  return [
    {
      value: headless,
      header: [
        `ZooKeeper ensemble "${model.name}" for Kubernetes: ${voters.length} voter${voters.length === 1 ? '' : 's'}${observers.length ? ` and ${observers.length} observer${observers.length === 1 ? '' : 's'}` : ''}, the official image ${IMAGE}:${model.version.text}.`,
        'Exported by `zkpseudo export kubernetes` (its output is tested against Kubernetes\' OpenAPI schemas).',
        `The image tag is the ensemble's ZooKeeper version; if the registry has no such tag, take the newest of the same ${model.version.major}.${model.version.minor} line.`,
        ...kubernetesSecretLines(model, names),
        'Apply:  kubectl apply -f <this file>      (into the current namespace; the servers find each other by name within it)',
        `Watch:  kubectl rollout status statefulset/${names.voters}`,
        ...(plain
          ? [
            'Status from this machine: forward each pod\'s client port, then ask them all:',
            `  ${forwards.map((f) => `kubectl port-forward pod/${f.pod} ${f.port}:${PORTS.client} &`).join(' ')}`,
            `  zkpseudo status --connect ${forwards.map((f) => `127.0.0.1:${f.port}`).join(',')}`,
          ]
          : [
            'From this machine: TLS only, so `zkpseudo status` (plain four-letter words) cannot ask the servers; forward each pod\'s TLS port and use a TLS client with a certificate your CA signed:',
            `  ${secureForwards.map((f) => `kubectl port-forward pod/${f.pod} ${f.port}:${PORTS.secureClient} &`).join(' ')}`,
          ]),
        `Clients inside the cluster connect to ${connect}${plain && sec?.tls ? `, or over TLS to ${names.client}:${PORTS.secureClient}` : ''}.`,
        `Memory per pod: the heap (${model.heapMb} MiB, JVMFLAGS) plus ${NON_HEAP_MB} MiB for the JVM's own use.`,
        ...notCarriedLines(model),
      ],
      comments: [{ path: ['spec', 'publishNotReadyAddresses'], text: 'servers must find each other before any is ready: a quorum forms among pods that are not ready yet' }],
    },
    { value: client },
    {
      value: budget,
      comments: [{ path: ['spec', 'maxUnavailable'], text: `${voters.length} voters keep a quorum of ${majority}: at most ${voters.length - majority} may be down for a drain or an upgrade` }],
    },
    { value: statefulSet(names.voters, voters, 'voter'), comments: setComments('myid = ordinal + 1') },
    ...(observers.length
      ? [{ value: statefulSet(names.observers, observers, 'observer'), header: ['Observers: same image, their own zoo.cfg (peerType=observer); they serve clients and do not vote.'], comments: setComments(`myid = ordinal + ${firstObserver}`) }]
      : []),
  ];
}
