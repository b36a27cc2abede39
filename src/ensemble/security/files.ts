/**
 * Where a secured ensemble keeps its keys, certificates, users and client settings (pure path
 * arithmetic): all in `<ensemble>/security/`, a 0700 directory whose secret files are 0600, so
 * `down --purge` removes them with the ensemble and nothing secret is scattered elsewhere.
 */
import path from 'node:path';
import type { EnsemblePaths } from '../store/layout.js';

export interface SecurityFiles {
  dir: string;
  /** The throwaway CA's certificate (PEM): the trust store of servers and clients. */
  caCert: string;
  /** The CA's private key (PKCS#8 PEM, 0600), kept so more certificates can be issued. */
  caKey: string;
  /** Server `id`'s PEM key store: its PKCS#8 key, then its certificate and the CA's (0600). */
  serverStore(id: number): string;
  /** The client's certificate and key in one PEM file (Java's PEM key store; 0600). */
  clientStore: string;
  clientCert: string;
  /** The client's PKCS#8 key alone (0600), for clients that take certificate and key apart (kazoo, openssl). */
  clientKey: string;
  /** The CA in a JKS trust store, for Java clients (0600), and its password (0600). */
  trustStore: string;
  trustStorePassword: string;
  /** The generated SASL users and passwords (JSON, 0600). */
  users: string;
  /** Server `id`'s JAAS file (0600): its Server, QuorumServer and QuorumLearner sections. */
  serverJaas(id: number): string;
  /** A JAAS file with a `Client` section for the application user, and one for the super user (0600). */
  clientJaas: string;
  superJaas: string;
  /** Client settings for Java clients: `zkCli.sh -client-configuration FILE`, `new ZKClientConfig(FILE)` (0600). */
  javaClientConfig: string;
}

export function securityFiles(paths: EnsemblePaths): SecurityFiles {
  const dir = path.join(paths.dir, 'security');
  const f = (name: string) => path.join(dir, name);
  return {
    dir,
    caCert: f('ca.pem'),
    caKey: f('ca-key.pem'),
    serverStore: (id) => f(`server-${id}.pem`),
    clientStore: f('client.pem'),
    clientCert: f('client-cert.pem'),
    clientKey: f('client-key.pem'),
    trustStore: f('truststore.jks'),
    trustStorePassword: f('truststore.password'),
    users: f('sasl-users.json'),
    serverJaas: (id) => f(`jaas-server-${id}.conf`),
    clientJaas: f('jaas-client.conf'),
    superJaas: f('jaas-super.conf'),
    javaClientConfig: f('zkclient.properties'),
  };
}
