import { inject, test, expect } from 'vitest';
import zookeeper from 'node-zookeeper-client';

test('the ensemble serves', async () => {
  const client = zookeeper.createClient(inject('zkConnect'));
  await new Promise<void>((resolve) => { client.once('connected', () => resolve()); client.connect(); });
  const path = await new Promise<string>((resolve, reject) =>
    client.create('/hello', Buffer.from('world'), zookeeper.CreateMode.EPHEMERAL, (err, p) => (err ? reject(err) : resolve(p))));
  expect(path).toBe('/hello');
  client.close();
});
