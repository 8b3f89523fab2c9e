import { SerialQueue } from './SerialQueue';

describe('SerialQueue', () => {
  it('runs tasks one at a time in order, and a failure fails only its own caller', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    const first = queue.run(async () => {
      log.push('first start');
      await gate;
      log.push('first end');
      return 1;
    });
    const second = queue.run(async () => {
      log.push('second');
      throw new Error('second failed');
    });
    const third = queue.run(async () => {
      log.push('third');
      return 3;
    });
    await Promise.resolve();
    expect(queue.running).toBe(true);
    expect(log).toEqual(['first start']);
    release();
    await expect(first).resolves.toBe(1);
    await expect(second).rejects.toThrow('second failed');
    await expect(third).resolves.toBe(3);
    expect(log).toEqual(['first start', 'first end', 'second', 'third']);
    expect(queue.running).toBe(false);
  });
});
