/** `up` with a paused server says so at once, naming the way out (issue "Trust by construction", item 11). */
import { describe, expect, it } from 'vitest';
import { isPausedState, PausedServersError } from '../../src/ensemble/observe/wait-healthy.js';

describe('a paused server', () => {
  it('is Linux state T (SIGSTOP) or t (a tracer), nothing else', () => {
    expect(['T', 't'].map(isPausedState)).toEqual([true, true]);
    expect(['R', 'S', 'D', 'Z', undefined].map(isPausedState)).toEqual([false, false, false, false, false]);
  });

  it('fails up with exit 2, saying it was not resumed and how to resume it', () => {
    const one = new PausedServersError([2], 'default');
    expect(one.exitCode).toBe(2);
    expect(one.message).toMatch(/^Server 2 of ensemble "default" is paused \(SIGSTOP.*`up` does not resume it on its own/);
    expect(one.hint).toMatch(/^Resume it with `zkpseudo resume 2`/);
    const two = new PausedServersError([1, 3], 'ci');
    expect(two.message).toMatch(/^Servers 1, 3 of ensemble "ci" are paused/);
    expect(two.hint).toMatch(/`zkpseudo resume all --name ci`/);
  });
});
