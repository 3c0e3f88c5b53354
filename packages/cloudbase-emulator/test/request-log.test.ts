import { createRequestLog } from '../src/request-log';

function clock() {
  let time = 1000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('request log', () => {
  it('given requests awaited one after another, counts one round trip each', () => {
    const time = clock();
    const log = createRequestLog(time.now);
    log.open('inv-1', { openid: 'o1' });

    for (const action of ['database.getDocument', 'database.insertDocument', 'database.modifyDocument']) {
      const end = log.begin('inv-1', { action, collection: 'users' });
      time.advance(5);
      end();
    }

    const { requests, roundTrips } = log.close('inv-1');
    expect(roundTrips).toBe(3);
    expect(requests.map((request) => request.action)).toEqual([
      'database.getDocument',
      'database.insertDocument',
      'database.modifyDocument',
    ]);
    expect(requests[0]).toEqual({ action: 'database.getDocument', collection: 'users', startedAt: 1000, endedAt: 1005 });
  });

  it('given requests in flight together, counts one round trip; a later one after all ended counts another', () => {
    const log = createRequestLog();
    log.open('inv-1', {});

    const ends = [1, 2, 3].map(() => log.begin('inv-1', { action: 'database.insertDocument' }));
    ends[1]?.();
    const overlapping = log.begin('inv-1', { action: 'database.getDocument' });
    ends[0]?.();
    ends[2]?.();
    overlapping();
    log.begin('inv-1', { action: 'database.getDocument' })('DATABASE_REQUEST_FAILED');

    const { requests, roundTrips } = log.close('inv-1');
    expect(roundTrips).toBe(2);
    expect(requests).toHaveLength(5);
    expect(requests[4]?.errorCode).toBe('DATABASE_REQUEST_FAILED');
  });

  it('given requests of other invocations, unknown tokens or a closed invocation, records nothing for them', () => {
    const log = createRequestLog();
    log.open('inv-1', {});
    log.open('inv-2', {});
    log.begin('inv-2', { action: 'database.getDocument' })();
    log.begin('', { action: 'database.getDocument' })();
    log.begin('stranger', { action: 'database.getDocument' })();

    expect(log.close('inv-1')).toEqual({ requests: [], roundTrips: 0 });
    log.begin('inv-1', { action: 'database.getDocument' })();
    expect(log.close('inv-1')).toEqual({ requests: [], roundTrips: 0 });
    expect(log.close('inv-2').requests).toHaveLength(1);
  });

  it('given an open invocation, tells its caller until it is closed', () => {
    const log = createRequestLog();
    log.open('inv-1', { openid: 'o1', appid: 'wx1' });

    expect(log.callerOf('inv-1')).toEqual({ openid: 'o1', appid: 'wx1' });
    log.close('inv-1');
    expect(log.callerOf('inv-1')).toBeUndefined();
  });
});
