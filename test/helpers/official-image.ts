/**
 * What the official `zookeeper` image and the engines do with an exported environment, written
 * from their documentation (no code of theirs): the engines' own `$` rules, then the image's
 * entrypoint, which at a container's first start writes zoo.cfg and myid from the environment.
 */

/** The image's defaults (its Dockerfile's ENV), which the entrypoint writes when a variable is not set. */
export const IMAGE_DEFAULTS: Readonly<Record<string, string>> = {
  ZOO_DATA_DIR: '/data',
  ZOO_DATA_LOG_DIR: '/datalog',
  ZOO_TICK_TIME: '2000',
  ZOO_INIT_LIMIT: '5',
  ZOO_SYNC_LIMIT: '2',
  ZOO_AUTOPURGE_PURGEINTERVAL: '0',
  ZOO_AUTOPURGE_SNAPRETAINCOUNT: '3',
  ZOO_MAX_CLIENT_CNXNS: '60',
  ZOO_STANDALONE_ENABLED: 'true',
  ZOO_ADMINSERVER_ENABLED: 'true',
};

/** Splits as an unquoted shell expansion does with the default IFS; a glob character would make the result depend on files in the working directory, so it is an error here. */
function shellWords(value: string): string[] {
  const words = value.split(/[ \t\n]+/).filter(Boolean);
  const globbed = words.find((w) => /[*?[]/.test(w));
  if (globbed) throw new Error(`"${globbed}" would be expanded as a glob by the entrypoint's shell`);
  return words;
}

/**
 * The zoo.cfg and myid the entrypoint writes from `env`: the fixed lines (each variable or its
 * default, values as given), each blank-separated word of ZOO_SERVERS (one server on localhost
 * when unset), the whitelist line if ZOO_4LW_COMMANDS_WHITELIST is set, each blank-separated
 * word of ZOO_CFG_EXTRA; myid is ZOO_MY_ID, else 1.
 */
export function entrypoint(env: Record<string, string>): { zooCfg: string; myid: string } {
  const v = (name: string) => env[name] ?? IMAGE_DEFAULTS[name] ?? '';
  const lines = [
    `dataDir=${v('ZOO_DATA_DIR')}`,
    `dataLogDir=${v('ZOO_DATA_LOG_DIR')}`,
    `tickTime=${v('ZOO_TICK_TIME')}`,
    `initLimit=${v('ZOO_INIT_LIMIT')}`,
    `syncLimit=${v('ZOO_SYNC_LIMIT')}`,
    `autopurge.snapRetainCount=${v('ZOO_AUTOPURGE_SNAPRETAINCOUNT')}`,
    `autopurge.purgeInterval=${v('ZOO_AUTOPURGE_PURGEINTERVAL')}`,
    `maxClientCnxns=${v('ZOO_MAX_CLIENT_CNXNS')}`,
    `standaloneEnabled=${v('ZOO_STANDALONE_ENABLED')}`,
    `admin.enableServer=${v('ZOO_ADMINSERVER_ENABLED')}`,
    ...shellWords(env.ZOO_SERVERS || 'server.1=localhost:2888:3888;2181'),
    ...(env.ZOO_4LW_COMMANDS_WHITELIST ? [`4lw.commands.whitelist=${env.ZOO_4LW_COMMANDS_WHITELIST}`] : []),
    ...shellWords(env.ZOO_CFG_EXTRA ?? ''),
  ];
  return { zooCfg: `${lines.join('\n')}\n`, myid: env.ZOO_MY_ID || '1' };
}

/** A Compose file's value as the container sees it: `$$` is one `$`; any other `$` would be interpolated from the host (an error here). */
export function composeValue(text: string): string {
  return text.replace(/\$(\$|.?)/g, (_m, next: string) => {
    if (next === '$') return '$';
    throw new Error(`"${text}" has a $ that Compose would interpolate`);
  });
}

/**
 * A Kubernetes env value, command or arg as the container gets it: `$$` is one `$`, `$(NAME)`
 * is the value of an earlier variable NAME (kept as written when there is none), any other `$`
 * is itself.
 */
export function kubernetesValue(text: string, earlier: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '$' || i + 1 >= text.length) { out += ch; continue; }
    const next = text[i + 1]!;
    if (next === '$') { out += '$'; i++; continue; }
    if (next === '(') {
      const close = text.indexOf(')', i + 2);
      if (close !== -1) {
        const name = text.slice(i + 2, close);
        out += name in earlier ? earlier[name] : text.slice(i, close + 1);
        i = close;
        continue;
      }
    }
    out += ch;
  }
  return out;
}
