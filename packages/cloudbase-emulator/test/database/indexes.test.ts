/**
 * Declared indexes (cloudbaserc.json): queries served from them, unique ones enforced with
 * CloudBase's duplicate-key error, and a warning, once per query shape, for a query that no index
 * serves on a large collection. Through the real wx-server-sdk, with a project folder of its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { declaredIndexesFrom } from '../../src/database/declared-indexes';
import { createEmulator, type Emulator } from '../../src/server';
import type { Cloud, Database } from './sdk-support';
import { rejection } from './sdk-support';

const cloudbaserc = {
  version: '2.0',
  framework: {
    plugins: {
      database: {
        use: '@cloudbase/framework-plugin-database',
        inputs: {
          collections: [
            {
              collectionName: 'members',
              createIndexes: [
                { name: 'email_1', unique: true, keys: [{ name: 'email', direction: '1' }] },
                {
                  name: 'team_1_role_1',
                  unique: false,
                  keys: [
                    { name: 'team', direction: '1' },
                    { name: 'role', direction: '1' },
                  ],
                },
                { name: 'profile.city_1', unique: false, keys: [{ name: 'profile.city', direction: '1' }] },
              ],
            },
          ],
        },
      },
    },
  },
};

describe('declaredIndexesFrom', () => {
  it('reads every createIndexes entry of the database plugin, in key order', () => {
    expect(declaredIndexesFrom(cloudbaserc)).toEqual([
      { collection: 'members', name: 'email_1', unique: true, fields: ['email'] },
      { collection: 'members', name: 'team_1_role_1', unique: false, fields: ['team', 'role'] },
      { collection: 'members', name: 'profile.city_1', unique: false, fields: ['profile.city'] },
    ]);
  });

  it('given no framework section or malformed entries, then declares nothing rather than failing', () => {
    expect(declaredIndexesFrom({ version: '2.0' })).toEqual([]);
    expect(
      declaredIndexesFrom({
        framework: { plugins: { db: { inputs: { collections: [{ collectionName: 'x', createIndexes: [{ keys: [] }] }] } } } },
      }),
    ).toEqual([]);
  });
});

describe('an emulator given a project folder with declared indexes', () => {
  let projectDir: string;
  let emulator: Emulator;
  let db: Database;
  const warnings: string[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    projectDir = mkdtempSync(path.join(os.tmpdir(), 'emulator-indexes-'));
    writeFileSync(path.join(projectDir, 'cloudbaserc.json'), JSON.stringify(cloudbaserc));
    emulator = await createEmulator({ memory: true, projectDir, onDatabaseWarning: (message) => warnings.push(message) });
    Object.assign(process.env, emulator.sdkEnv());
    const cloud = (await import('wx-server-sdk')) as Cloud;
    cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });
    db = cloud.database() as unknown as Database;
    // 1,200 members through the bulk import path (one request, not 1,200 SDK calls).
    const lines = Array.from({ length: 1200 }, (_, i) =>
      JSON.stringify({
        _id: `m${i}`,
        email: `m${i}@example.com`,
        team: `t${i % 10}`,
        role: i % 2 ? 'dev' : 'ops',
        nick: `n${i}`,
        profile: { city: `c${i % 7}` },
      }),
    );
    await emulator.database.importCollection('members', lines.join('\n'));
  });

  afterAll(async () => {
    await emulator.close();
    rmSync(projectDir, { recursive: true, force: true });
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  beforeEach(() => {
    warnings.length = 0;
  });

  it('given a query served by a declared index (single, compound prefix, dotted, or an $or of them), then no warning', async () => {
    const _ = db.command;
    expect((await db.collection('members').where({ email: 'm5@example.com' }).get()).data.map((doc) => doc._id)).toEqual(['m5']);
    expect((await db.collection('members').where({ team: 't3', role: 'dev' }).count()).total).toBe(120);
    expect((await db.collection('members').where({ 'profile.city': 'c1' }).count()).total).toBe(172);
    expect(
      (
        await db
          .collection('members')
          .where(_.or([{ email: 'm1@example.com' }, { _id: 'm2' }]) as unknown as Record<string, unknown>)
          .count()
      ).total,
    ).toBe(2);
    expect((await db.collection('members').limit(5).get()).data).toHaveLength(5);
    // A range on an indexed field uses the index on CloudBase: not reported (the emulator still scans).
    expect(
      (
        await db
          .collection('members')
          .where({ email: _.gt('m9') })
          .count()
      ).total,
    ).toBe(111);
    expect(warnings).toEqual([]);
  });

  it('given a query no declared index serves, then one warning names the collection and the fields, once per shape', async () => {
    const _ = db.command;
    expect((await db.collection('members').where({ nick: 'n7' }).get()).data.map((doc) => doc._id)).toEqual(['m7']);
    await db.collection('members').where({ nick: 'n8' }).get();
    await db.collection('members').where({ nick: 'n9' }).count();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('collection "members": a query on nick scanned all 1200 documents');
    expect(warnings[0]).toContain('cloudbaserc.json');
    // Another shape warns again; an $or with one unindexed branch is not served.
    await db
      .collection('members')
      .where(_.or([{ email: 'm1@example.com' }, { nick: 'n2' }]) as unknown as Record<string, unknown>)
      .get();
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain('a query on email, nick scanned');
  });

  it('given a second document with a declared unique value, then CloudBase duplicate-key error names the index', async () => {
    const duplicate = await rejection(db.collection('members').add({ data: { email: 'm1@example.com', team: 'x' } }));
    expect(duplicate.errMsg).toContain(
      'E11000 duplicate key error collection: members index: email_1 dup key: { email: "m1@example.com" }',
    );
    const updated = await rejection(
      db
        .collection('members')
        .doc('m2')
        .update({ data: { email: 'm3@example.com' } }),
    );
    expect(updated.errMsg).toContain('index: email_1');
    // The same value on the same document, or a value freed in the same write, is no duplicate.
    await db
      .collection('members')
      .doc('m4')
      .update({ data: { email: 'm4@example.com', nick: 'renamed' } });
    expect((await db.collection('members').doc('m4').get()).data.nick).toBe('renamed');
  });

  it('enforces the unique index inside a transaction too, and nothing of the transaction is applied', async () => {
    const transaction = await db.startTransaction();
    await transaction
      .collection('members')
      .doc('m10')
      .set({ data: { email: 'new@example.com' } });
    const clash = await rejection(
      transaction
        .collection('members')
        .doc('m11')
        .set({ data: { email: 'new@example.com' } }),
    );
    expect(clash.errMsg).toContain('index: email_1');
    await transaction.rollback();
    expect((await db.collection('members').where({ email: 'new@example.com' }).count()).total).toBe(0);
  });
});
