/**
 * Two answers S3 can lose, both found by the fault-injection suite (test/faults):
 * - A conditional PUT whose answer was lost: S3 stored the object, the connection dropped, the SDK
 *   retried, and the retry failed its own If-None-Match / If-Match against the object the first
 *   attempt wrote. That is our write, not a lost race: `service deploy` said "another deploy
 *   recorded a release" and stopped, leaving its own pending release behind.
 * - A GET whose body was cut short: the SDK retries requests, not bodies, so one reset connection
 *   failed the deploy ("AWS error while reading s3://…: aborted").
 */
import type { AwsClients } from '../../src/aws/clients';
import { objectStoreApi } from '../../src/aws/s3-objects';

interface Stored {
  body: string;
  etag: string;
}

/** An S3 bucket of one key whose PUT lands, then answers as the SDK's retry would: 412. */
function bucketLosingAcks(initial?: Stored): { clients: AwsClients; stored: () => Stored | undefined } {
  let object = initial;
  let n = 0;
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const input = command.input;
    if (command.constructor.name === 'GetObjectCommand') {
      if (object === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
      const body = object.body;
      return { ETag: object.etag, Body: { transformToString: async () => body } };
    }
    // PutObject: the first attempt stores it; its answer is lost; the retry meets its own object.
    const holds = input['IfNoneMatch'] === '*' ? object === undefined : object?.etag === input['IfMatch'];
    if (holds) object = { body: String(input['Body']), etag: `"e${++n}"` };
    throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
  };
  return { clients: { s3: () => ({ send }) } as unknown as AwsClients, stored: () => object };
}

describe('objectStoreApi.put when the answer to a PUT that landed is lost', () => {
  it('If-None-Match: the object holding our bytes is our write, with its ETag', async () => {
    const s3 = bucketLosingAcks();
    const result = await objectStoreApi(s3.clients).put('b', 'k', '{"a":1}', { ifNoneMatch: '*' });
    expect(result).toEqual({ written: true, etag: '"e1"' });
  });

  it('If-Match: the same', async () => {
    const s3 = bucketLosingAcks({ body: '{"a":1}', etag: '"e0"' });
    const result = await objectStoreApi(s3.clients).put('b', 'k', '{"a":2}', { ifMatch: '"e0"' });
    expect(result).toEqual({ written: true, etag: '"e1"' });
  });

  it('someone else’s object is still a lost race', async () => {
    const s3 = bucketLosingAcks({ body: '{"theirs":1}', etag: '"t"' });
    const result = await objectStoreApi(s3.clients).put('b', 'k', '{"a":2}', { ifMatch: '"e0"' });
    expect(result).toEqual({ written: false });
    expect(s3.stored()).toEqual({ body: '{"theirs":1}', etag: '"t"' });
  });
});

describe('objectStoreApi.get when the body is cut short (the SDK retries requests, not bodies)', () => {
  const cutShort = (failures: number) => {
    let calls = 0;
    const send = async () => {
      calls++;
      const n = calls;
      return {
        ETag: '"e"',
        Body: {
          transformToString: async () => {
            if (n <= failures) throw new Error('aborted');
            return '{"a":1}';
          },
        },
      };
    };
    return { clients: { s3: () => ({ send }) } as unknown as AwsClients, calls: () => calls };
  };

  it('asks again and returns the whole body', async () => {
    const s3 = cutShort(2);
    expect(await objectStoreApi(s3.clients).get('b', 'k')).toEqual({ body: '{"a":1}', etag: '"e"' });
    expect(s3.calls()).toBe(3);
  });

  it('gives up after three bodies cut short, naming the object', async () => {
    const s3 = cutShort(3);
    await expect(objectStoreApi(s3.clients).get('b', 'k')).rejects.toThrow(/reading s3:\/\/b\/k/);
    expect(s3.calls()).toBe(3);
  });
});
