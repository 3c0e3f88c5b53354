/**
 * CloudBase's query, update, aggregation and transaction semantics through the real wx-server-sdk,
 * where CloudBase differs from what mingo alone answers. The cases are those of the SDKs' own
 * public database suites (@cloudbase/node-sdk test/database: advanced-operator, command,
 * aggregation, geo, geo-advanced, oid, document, transaction), rewritten here with their data and
 * their expected answers.
 */
import { rejection, type SdkHarness, startSdk } from './sdk-support';

type Doc = Record<string, unknown>;
// The SDK's typings miss most of these commands; this is what they are at run time.
type Command = (...args: unknown[]) => unknown;
type QueryCommandName = 'elemMatch' | 'exists' | 'geoIntersects' | 'geoNear' | 'geoWithin' | 'gt' | 'jsonSchema' | 'mod' | 'nor';
type AggregateCommandName =
  | 'dateFromParts'
  | 'dateFromString'
  | 'dateToString'
  | 'dayOfMonth'
  | 'dayOfWeek'
  | 'dayOfYear'
  | 'hour'
  | 'indexOfBytes'
  | 'indexOfCP'
  | 'isoDayOfWeek'
  | 'isoWeek'
  | 'isoWeekYear'
  | 'millisecond'
  | 'minute'
  | 'month'
  | 'second'
  | 'substr'
  | 'substrBytes'
  | 'week'
  | 'year';
type Commands = Record<AggregateCommandName, Command>;
interface LooseQuery {
  where(condition: unknown): LooseQuery;
  orderBy(field: string, order: 'asc' | 'desc'): LooseQuery;
  get(): Promise<{ data: Doc[] }>;
  aggregate(): LooseAggregate;
  add(options: { data: unknown }): Promise<{ _id?: string; _ids?: string[] }>;
  doc(id: string): { get(): Promise<{ data: Doc }>; set(options: { data: Doc }): Promise<{ stats: { updated: number; created: number } }> };
}
type Stage = (spec: unknown) => LooseAggregate;
interface LooseAggregate {
  project: Stage;
  geoNear: Stage;
  match: Stage;
  lookup: Stage;
  end(): Promise<{ list: Doc[] }>;
}
interface LooseDb {
  collection(name: string): LooseQuery;
  createCollection(name: string): Promise<unknown>;
  command: Record<QueryCommandName, Command> & { aggregate: Commands };
  Geo: {
    Point: new (lng: number, lat: number) => unknown;
    Polygon: new (lines: unknown[]) => unknown;
    LineString: new (points: unknown[]) => unknown;
  };
  ObjectId(options: { id: string }): unknown;
  startTransaction(): Promise<{
    collection(name: string): {
      doc(id: string): { get(): Promise<{ data: Doc | null }>; set(options: { data: Doc }): Promise<Doc> };
    };
    commit(): Promise<unknown>;
    rollback(): Promise<unknown>;
  }>;
}

let sdk: SdkHarness;
let db: LooseDb;
let _: LooseDb['command'];
let $: Commands;

// The machine's zone must not matter: the whole file runs in one far from UTC (Node reads TZ anew).
const machineZone = process.env.TZ;
beforeAll(async () => {
  process.env.TZ = 'Pacific/Kiritimati';
  sdk = await startSdk();
  db = sdk.db as unknown as LooseDb;
  _ = db.command;
  $ = db.command.aggregate;
  for (const name of ['passages', 'students', 'articles', 'places', 'oids', 'docs', 'tx']) await db.createCollection(name);
  await db.collection('passages').add({
    data: [
      { category: 'Web', tags: ['JavaScript', 'C#'], index: 0 },
      { category: 'Web', tags: ['Go', 'C#'], index: 1 },
      { category: 'luke', tags: ['Go'] },
      { category: 'Life', tags: ['Go', 'Python', 'JavaScript'], index: 2 },
      { category: 'number', tags: [1, 2, 3, 4, 5, 6, 7, 8, 9], index: 3 },
      { category: 'embedded', tags: [{ value: 1 }, { value: 7 }], index: 4 },
    ],
  });
  // The suite's students are born at midnight in Asia/Shanghai (its authors' zone).
  await db.collection('students').add({
    data: [
      { birthday: '1999/12/12', date: new Date('1999-12-11T16:00:00Z'), firstName: 'Yuanxin', lastName: 'Dong', nickname: '心谭' },
      { birthday: '1998/11/11', date: new Date('1998-11-10T16:00:00Z'), firstName: 'Weijia', lastName: 'Wang', nickname: 'wj' },
      { birthday: '1997/10/10', date: new Date('1997-10-09T16:00:00Z'), firstName: 'Chengxi', lastName: 'Li', nickname: 'cx' },
    ],
  });
  await db.collection('articles').add({ data: { _id: 'a', date: new Date(1557826731686) } });
});
afterAll(async () => {
  await sdk.close();
  if (machineZone === undefined) delete process.env.TZ;
  else process.env.TZ = machineZone;
});

const categories = async (condition: unknown): Promise<string[]> =>
  (await db.collection('passages').where(condition).get()).data.map((doc) => String(doc.category));

describe('_.elemMatch on arrays of embedded documents', () => {
  it('matches elements by their own value with an operator condition', async () => {
    expect(await categories({ tags: _.elemMatch(_.gt(2)) })).toEqual(['number']);
  });

  it('matches only documents in the array with a field condition', async () => {
    expect(await categories({ tags: _.elemMatch({ value: _.gt(0) }) })).toEqual(['embedded']);
  });

  it('given exists inside it, then strings and numbers in other arrays do not match', async () => {
    expect(await categories({ tags: _.elemMatch({ value: _.exists(true) }) })).toEqual(['embedded']);
  });

  it('given mod inside it, in both the array and the mini-program argument forms, then only the embedded documents match', async () => {
    expect(await categories({ tags: _.elemMatch({ value: _.mod([4, 3]) }) })).toEqual(['embedded']);
    expect(await categories({ tags: _.elemMatch({ value: _.mod(4, 3) }) })).toEqual(['embedded']);
  });
});

describe('$jsonSchema in a query', () => {
  it('matches the documents the schema accepts, and nor() inverts it', async () => {
    expect(await categories(_.jsonSchema({ required: ['category'] }))).toHaveLength(6);
    expect(await categories(_.nor([_.jsonSchema({ required: ['category'] })]))).toEqual([]);
    expect(await categories(_.jsonSchema({ required: ['index'], properties: { index: { bsonType: 'int', minimum: 3 } } }))).toEqual([
      'number',
      'embedded',
    ]);
  });
});

describe('string operators in aggregation', () => {
  const project = async (spec: Doc) =>
    (
      await db
        .collection('students')
        .aggregate()
        .project({ _id: 0, ...spec })
        .end()
    ).list;

  it('answers $indexOfCP and $indexOfBytes', async () => {
    expect(await project({ at: $.indexOfCP(['$firstName', 'a']) })).toEqual([{ at: 2 }, { at: 5 }, { at: -1 }]);
    expect(await project({ at: $.indexOfBytes(['$firstName', 'a']) })).toEqual([{ at: 2 }, { at: 5 }, { at: -1 }]);
    expect(await project({ at: $.indexOfCP(['$nickname', '谭']) })).toContainEqual({ at: 1 });
  });

  it('answers $substr and $substrBytes, a negative length meaning to the end', async () => {
    const expected = [
      { year: '1999', month: '12', day: '12' },
      { year: '1998', month: '11', day: '11' },
      { year: '1997', month: '10', day: '10' },
    ];
    expect(
      await project({ year: $.substr(['$birthday', 0, 4]), month: $.substr(['$birthday', 5, 2]), day: $.substr(['$birthday', 8, -1]) }),
    ).toEqual(expected);
    expect(
      await project({
        year: $.substrBytes(['$birthday', 0, 4]),
        month: $.substrBytes(['$birthday', 5, 2]),
        day: $.substrBytes(['$birthday', 8, -1]),
      }),
    ).toEqual(expected);
  });
});

describe('date operators in aggregation', () => {
  it('works in UTC unless a timezone is given, as CloudBase does', async () => {
    const list = (
      await db
        .collection('students')
        .aggregate()
        .project({
          _id: 0,
          day: $.dateToString({ date: '$date', format: '%Y-%m-%d' }),
          shanghai: $.dateToString({ date: '$date', format: '%H:%M:%S', timezone: 'Asia/Shanghai' }),
          offset: $.dateToString({ date: '$date', format: '%z', timezone: '+08:00' }),
          hourThere: $.hour({ date: '$date', timezone: 'Asia/Shanghai' }),
        })
        .end()
    ).list;
    expect(list).toEqual([
      { day: '1999-12-11', shanghai: '00:00:00', offset: '+0800', hourThere: 0 },
      { day: '1998-11-10', shanghai: '00:00:00', offset: '+0800', hourThere: 0 },
      { day: '1997-10-09', shanghai: '00:00:00', offset: '+0800', hourThere: 0 },
    ]);
  });

  it('answers every date operator of the suite for 2019-05-14T09:38:51.686Z', async () => {
    const date = new Date(1557826731686);
    const [doc] = (
      await db
        .collection('articles')
        .aggregate()
        .project({
          _id: 0,
          dayOfWeek: $.dayOfWeek('$date'),
          dayOfYear: $.dayOfYear('$date'),
          dayOfMonth: $.dayOfMonth('$date'),
          year: $.year('$date'),
          month: $.month('$date'),
          hour: $.hour('$date'),
          minute: $.minute('$date'),
          second: $.second('$date'),
          millisecond: $.millisecond('$date'),
          week: $.week('$date'),
          dateFromParts: $.dateFromParts({ year: 2017, month: 2, day: 8, hour: 12, timezone: 'America/New_York' }),
          dateFromString: $.dateFromString({ dateString: date.toISOString() }),
          isoDayOfWeek: $.isoDayOfWeek('$date'),
          isoWeek: $.isoWeek('$date'),
          isoWeekYear: $.isoWeekYear('$date'),
        })
        .end()
    ).list;
    expect(doc).toEqual({
      year: 2019,
      month: 5,
      dayOfMonth: 14,
      hour: 9,
      minute: 38,
      second: 51,
      millisecond: 686,
      dayOfYear: 134,
      dayOfWeek: 3,
      week: 19,
      dateFromParts: new Date('2017-02-08T17:00:00.000Z'),
      dateFromString: date,
      isoDayOfWeek: 2,
      isoWeek: 20,
      isoWeekYear: 2019,
    });
  });

  it('follows daylight saving in a named zone and reads ISO strings with an offset', async () => {
    const [doc] = (
      await db
        .collection('articles')
        .aggregate()
        .project({
          _id: 0,
          winter: $.dateFromParts({ year: 2019, month: 1, day: 1, timezone: 'America/New_York' }),
          summer: $.dateFromParts({ year: 2019, month: 7, day: 1, timezone: 'America/New_York' }),
          parsed: $.dateFromString({ dateString: '2019-05-14 17:38:51+08:00' }),
          local: $.dateFromString({ dateString: '2019-05-14 17:38:51', timezone: 'Asia/Shanghai' }),
          month: $.dateToString({ date: '$date', format: '%b %B', timezone: 'Pacific/Kiritimati' }),
        })
        .end()
    ).list;
    expect(doc).toEqual({
      winter: new Date('2019-01-01T05:00:00.000Z'),
      summer: new Date('2019-07-01T04:00:00.000Z'),
      parsed: new Date(1557826731000),
      local: new Date(1557826731000),
      month: 'May May',
    });
  });
});

describe('geo queries', () => {
  beforeAll(async () => {
    const { Point, Polygon, LineString } = db.Geo;
    await db.collection('places').add({
      data: [
        { _id: 'origin', point: new Point(0, 0) },
        { _id: 'east', point: new Point(0.5, 0) },
        { _id: 'far', point: new Point(10, 10) },
        {
          _id: 'square',
          point: new Polygon([new LineString([new Point(1, 1), new Point(2, 1), new Point(2, 2), new Point(1, 2), new Point(1, 1)])]),
        },
      ],
    });
  });
  const idsOf = async (condition: unknown) => (await db.collection('places').where(condition).get()).data.map((doc) => doc._id);

  it('geoNear answers the points within the distance, nearest first', async () => {
    const { Point } = db.Geo;
    expect(await idsOf({ point: _.geoNear({ geometry: new Point(0.6, 0), maxDistance: 100_000 }) })).toEqual(['east', 'origin']);
    expect(await idsOf({ point: _.geoNear({ geometry: new Point(0.6, 0), maxDistance: 20_000 }) })).toEqual(['east']);
    expect(await idsOf({ point: _.geoNear({ geometry: new Point(0.6, 0), minDistance: 20_000, maxDistance: 100_000 }) })).toEqual([
      'origin',
    ]);
  });

  it('geoWithin answers what lies in a polygon or within a centerSphere', async () => {
    const { Point, Polygon, LineString } = db.Geo;
    const area = new Polygon([new LineString([new Point(-1, -1), new Point(3, -1), new Point(3, 3), new Point(-1, 3), new Point(-1, -1)])]);
    expect(await idsOf({ point: _.geoWithin({ geometry: area }) })).toEqual(['origin', 'east', 'square']);
    // 0.01 radians is about 64 km: the origin and the point half a degree east.
    expect(await idsOf({ point: _.geoWithin({ centerSphere: [new Point(0, 0), 0.01] }) })).toEqual(['origin', 'east']);
    expect(await idsOf({ point: _.geoWithin({ centerSphere: [[0, 0], 0.001] }) })).toEqual(['origin']);
  });

  it('geoIntersects answers the shapes that touch a line', async () => {
    const { Point, LineString } = db.Geo;
    const line = new LineString([new Point(0, 1.5), new Point(5, 1.5)]);
    expect(await idsOf({ point: _.geoIntersects({ geometry: line }) })).toEqual(['square']);
  });

  it('the geoNear stage adds the distance in metres and sorts by it, and Geo types come back as Geo objects', async () => {
    const { Point } = db.Geo;
    const { list } = await db
      .collection('places')
      .aggregate()
      .geoNear({ distanceField: 'distance', spherical: true, near: new Point(0, 0), maxDistance: 100_000, key: 'point' })
      .end();
    expect(list.map((doc) => doc._id)).toEqual(['origin', 'east']);
    expect(list[0]?.distance).toBe(0);
    // Half a degree of the equator on MongoDB's sphere: 6,378,100 m × π / 360.
    expect(list[1]?.distance).toBeCloseTo((6_378_100 * Math.PI) / 360, 0);
    // The suite's own case: the distance CloudBase answers, to the last digit (MongoDB's S2 formula).
    await db.collection('places').add({ data: { _id: 'baiyun', point: { type: 'Point', coordinates: [113.306789, 23.1564721] } } });
    const near = await db
      .collection('places')
      .aggregate()
      .geoNear({ distanceField: 'distance', spherical: true, near: new Point(113.3089506, 23.0968251), key: 'point', maxDistance: 10_000 })
      .end();
    expect(near.list.map((doc) => [doc._id, doc.distance])).toEqual([['baiyun', 6643.521654040738]]);
    const { data } = await db.collection('places').doc('east').get();
    expect(data.point).toMatchObject({ longitude: 0.5, latitude: 0 });
    expect((data.point as object).constructor.name).toBe('Point');
  });
});

describe('ObjectId values', () => {
  it('stores db.ObjectId in _id and other fields, finds by it, joins on it, and answers hex strings', async () => {
    // The ObjectId constructor of the SDKs' database layer (node-sdk's db.ObjectId), which wx-server-sdk does not re-export.
    const ObjectId = (sdk.db as unknown as { _db: { ObjectId: LooseDb['ObjectId'] } })._db.ObjectId;
    const oid = (id: string) => ObjectId({ id });
    const first = '65a1b2c3d4e5f60718293a4b';
    const second = '65a1b2c3d4e5f60718293a4c';
    const added = await db.collection('oids').add({ data: { _id: oid(first), inviter: oid(second), name: 'x' } });
    expect(added._id).toBe(first);
    await db.collection('oids').add({ data: { _id: 'plain', inviter: oid(first), name: 'y' } });
    const { data } = await db
      .collection('oids')
      .where({ inviter: oid(second) })
      .get();
    expect(data).toEqual([{ _id: first, inviter: second, name: 'x' }]);
    const { list } = await db
      .collection('oids')
      .aggregate()
      .match({ _id: 'plain' })
      .lookup({ from: 'oids', localField: 'inviter', foreignField: '_id', as: 'by' })
      .end();
    expect(list[0]?.by).toEqual([{ _id: first, inviter: second, name: 'x' }]);
  });
});

describe('doc().set()', () => {
  it('given the document exists and is unchanged, then stats.updated is 1 (CloudBase: 1 whenever the _id exists)', async () => {
    const first = await db
      .collection('docs')
      .doc('same')
      .set({ data: { n: 1 } });
    expect(first.stats).toEqual({ updated: 0, created: 1 });
    const again = await db
      .collection('docs')
      .doc('same')
      .set({ data: { n: 1 } });
    expect(again.stats).toEqual({ updated: 1, created: 0 });
  });
});

describe('transactions', () => {
  it('given set() of a missing document inside a transaction, then the answer carries upsert_id and the document is readable inside', async () => {
    const transaction = await db.startTransaction();
    const result = await transaction
      .collection('tx')
      .doc('114514')
      .set({ data: { category: 'Node.js' } });
    // wx-server-sdk reads `upsertedId`, which its database layer fills only outside a transaction, so
    // `created` is 0 here in production too; `updated: 0` is the service's answer for a created document.
    expect(result).toMatchObject({ _id: '114514', stats: { updated: 0 } });
    expect((await transaction.collection('tx').doc('114514').get()).data).toEqual({ _id: '114514', category: 'Node.js' });
    await transaction.rollback();
    expect((await db.collection('tx').where({}).get()).data).toEqual([]);
  });

  it('given set() of an existing unchanged document inside a transaction, then it counts as updated', async () => {
    await db.collection('tx').add({ data: { _id: 'there', n: 1 } });
    const transaction = await db.startTransaction();
    expect(
      await transaction
        .collection('tx')
        .doc('there')
        .set({ data: { n: 1 } }),
    ).toMatchObject({ stats: { updated: 1, created: 0 } });
    await transaction.commit();
  });

  it('answers a finished transaction with CloudBase own TransactionNotExist text', async () => {
    const transaction = await db.startTransaction();
    await transaction.commit();
    const error = await rejection(transaction.collection('tx').doc('there').get());
    expect(error.errMsg).toContain('[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server');
  });

  it('given a document written outside after the transaction read it, then its write answers CloudBase TransactionConflict text', async () => {
    await db.collection('tx').add({ data: { _id: 'skew', n: 1 } });
    const transaction = await db.startTransaction();
    await transaction.collection('tx').doc('skew').get();
    await db
      .collection('tx')
      .doc('skew')
      .set({ data: { n: 2 } });
    // The transaction still reads its snapshot, and may not write over the newer version.
    expect((await transaction.collection('tx').doc('skew').get()).data).toEqual({ _id: 'skew', n: 1 });
    const error = await rejection(
      transaction
        .collection('tx')
        .doc('skew')
        .set({ data: { n: 3 } }),
    );
    expect(error.errMsg).toContain(
      '[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others. Please check your request, but if the problem persists, contact us.',
    );
    await transaction.rollback();
  });

  it('answers the second writer of a document with CloudBase own TransactionBusy text', async () => {
    const first = await db.startTransaction();
    const second = await db.startTransaction();
    await first
      .collection('tx')
      .doc('there')
      .set({ data: { n: 3 } });
    const error = await rejection(
      second
        .collection('tx')
        .doc('there')
        .set({ data: { n: 4 } }),
    );
    expect(error.errMsg).toContain('[ResourceUnavailable.TransactionBusy] Transaction is busy.');
    await first.commit();
  });
});
