/**
 * `zkpseudo repair` with real servers (issue item 8): a follower whose epoch files were put out
 * of step cannot start, and `start` and `up` say to repair it; `repair` moves its data aside
 * (kept), resyncs it from the others, and every znode written before — some while it was down —
 * is there, read through it alone. With the others short of a quorum it refuses and changes
 * nothing, from the CLI and from the library.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from '../../src/index.js';
import { connect, CreateMode, type Session } from '../../src/edge/zkclient.js';
import { createSandbox, serverPidsUnder, type Sandbox } from '../helpers/sandbox.js';

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

interface StatusJson { servers: { id: number; role: string; clientPort: number; pid: number | null }[]; health: { state: string; leader?: number } }

describe('repair a server whose data is out of step', () => {
  let sb: Sandbox;
  beforeAll(async () => { sb = await createSandbox('repair'); });
  afterAll(async () => { await sb?.cleanup(); });

  const name = 'r';
  const dataDir = (id: number) => path.join(sb.root, 'home', name, `zookeeper-${id}`, 'data');
  const status = async (): Promise<StatusJson> => JSON.parse((await sb.cli(['status', '--name', name, '--json'])).stdout);
  let repaired = 0;

  it('start and up name `repair`; repair resyncs it from the others with every znode, and keeps the old data', async () => {
    const up = await sb.cli(['up', '3', '--name', name, '--ports', 'auto', '--zk-version', sb.zkVersion, '--mirror', sb.mirrorUrl, '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const connectString: string = JSON.parse(up.stdout).connectString;
    const before = Array.from({ length: 200 }, (_, i) => i);
    let s: Session = await connect(connectString);
    await s.create('/repair', '', CreateMode.PERSISTENT);
    await inBatches(before, 50, (i) => s.create(`/repair/n${i}`, `value-${i}`, CreateMode.PERSISTENT));
    s.close();

    const follower = (await status()).servers.find((x) => x.role === 'follower')!;
    repaired = follower.id;
    expect((await sb.cli(['stop', String(follower.id), '--name', name])).exitCode).toBe(0);
    // Writes the stopped server never saw: only the others hold them.
    s = await connect(connectString);
    await inBatches([0, 1, 2, 3, 4], 5, (i) => s.create(`/repair/while-down-${i}`, `later-${i}`, CreateMode.PERSISTENT));
    s.close();

    // currentEpoch from a later election than acceptedEpoch: ZooKeeper refuses to load the data.
    const v2 = path.join(dataDir(follower.id), 'version-2');
    const accepted = Number((await readFile(path.join(v2, 'acceptedEpoch'), 'utf8')).trim());
    await writeFile(path.join(v2, 'currentEpoch'), String(accepted + 98));
    const oldFiles = (await readdir(v2)).sort();

    const start = await sb.cli(['start', String(follower.id), '--name', name]);
    expect(start.exitCode, start.stderr).toBe(2);
    expect(start.stderr).toMatch(/^error: Server \d+ did not start: its acceptedEpoch \(0x[0-9a-f]+\) is less than its currentEpoch \(0x[0-9a-f]+\)/m);
    expect(start.stderr).toMatch(new RegExp(`^hint: Run \`zkpseudo repair ${follower.id} --name ${name}\``, 'm'));
    // `up` resumes the ensemble, starts only that server, sees it exit, and says the same.
    const resumed = await sb.cli(['up', '--name', name]);
    expect(resumed.exitCode, resumed.stderr).toBe(2);
    // The script may see it die within its one second, or the wait for health may: either names the cause.
    expect(resumed.stderr).toMatch(new RegExp(`^error: Server ${follower.id} (did not start|exited right after starting).*acceptedEpoch`, 'm'));
    expect(resumed.stderr).toMatch(new RegExp(`^hint: Run \`zkpseudo repair ${follower.id} --name ${name}\``, 'm'));
    expect((await status()).health.state).toBe('degraded');

    const repair = await sb.cli(['repair', String(follower.id), '--name', name, '--json']);
    expect(repair.exitCode, repair.stderr).toBe(0);
    const r = JSON.parse(repair.stdout);
    expect(r).toMatchObject({ name, action: 'repair', id: follower.id });
    expect(r.status.health.state).toBe('healthy');
    expect(r.status.servers.find((x: { id: number }) => x.id === follower.id).role).toBe('follower');
    // The old data, whole and untouched, beside the new; myid stayed.
    expect(path.dirname(r.quarantined)).toBe(path.join(dataDir(follower.id), 'zkpseudo-quarantine'));
    expect((await readdir(path.join(r.quarantined, 'version-2'))).sort()).toEqual(oldFiles);
    expect(await readFile(path.join(r.quarantined, 'version-2', 'currentEpoch'), 'utf8')).toBe(String(accepted + 98));
    expect(await readFile(path.join(dataDir(follower.id), 'myid'), 'utf8')).toBe(`${follower.id}\n`);
    expect(await readdir(r.quarantined)).not.toContain('myid');

    // Read through the repaired server alone: everything is there.
    s = await connect(`127.0.0.1:${follower.clientPort}`, 30_000);
    try {
      await s.catchUp('/repair');
      const children = await new Promise<string[]>((resolve, reject) => s.client.getChildren('/repair', (err, c) => (err ? reject(err) : resolve(c))));
      expect(children).toHaveLength(205);
      const values: string[] = [];
      await inBatches(before, 50, async (i) => { values[i] = (await s.getData(`/repair/n${i}`)).data; });
      expect(values.every((v, i) => v === `value-${i}`)).toBe(true);
      expect((await s.getData('/repair/while-down-4')).data).toBe('later-4');
    } finally {
      s.close();
    }
  }, 240_000);

  it('refuses while the others hold no quorum, and changes nothing (CLI and library)', async () => {
    const others = [1, 2, 3].filter((id) => id !== repaired);
    const [target, alsoDown] = others as [number, number];
    expect((await sb.cli(['stop', String(target), '--name', name])).exitCode).toBe(0);
    expect((await sb.cli(['stop', String(alsoDown), '--name', name])).exitCode).toBe(0);
    const listing = async () => (await readdir(dataDir(target), { recursive: true })).sort();
    const untouched = await listing();

    const r = await sb.cli(['repair', String(target), '--name', name]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: Repair would lose data: 0 of the other 2 voters serve, 2 needed; not serving: /m);
    expect(r.stderr).toMatch(/^hint: Nothing was changed\. Bring the other servers back first/m);
    const zk = await open(name, { env: sb.env });
    await expect(zk.repair(target)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^Repair would lose data/) });
    expect(await listing()).toEqual(untouched);
    expect(await readdir(dataDir(target))).not.toContain('zkpseudo-quarantine');
    // Only the server that was left running runs; nothing was started or stopped.
    expect(await serverPidsUnder(path.join(sb.root, 'home', name))).toHaveLength(1);
  });
});
