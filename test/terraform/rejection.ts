import type { EcsdeployError } from '../../src/errors';

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection<T = EcsdeployError>(p: Promise<unknown>): Promise<T> {
  try {
    await p;
  } catch (err) {
    return err as T;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
