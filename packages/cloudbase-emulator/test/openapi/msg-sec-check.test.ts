import { findWord, msgSecCheck, type CheckWords } from '../../src/openapi/msg-sec-check';

const words: CheckWords = { risky: ['badword'], review: ['maybe'] };
const v2 = { version: 2, scene: 2, openid: 'o-alice' };

describe('msgSecCheck version 2', () => {
  it('given clean text, suggests pass with label 100 and a trace id', () => {
    expect(msgSecCheck({ ...v2, content: 'hello 你好' }, words)).toEqual({
      errcode: 0,
      errmsg: 'ok',
      result: { suggest: 'pass', label: 100 },
      detail: [{ strategy: 'keyword', errcode: 0 }, expect.objectContaining({ strategy: 'content_model', suggest: 'pass', label: 100 })],
      trace_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/),
    });
  });

  it('given a risky word in any case, suggests risky and names the keyword in detail', () => {
    const answer = msgSecCheck({ ...v2, content: 'this is BADWORD here' }, words);
    expect(answer).toMatchObject({
      errcode: 0,
      result: { suggest: 'risky', label: 21000 },
      detail: expect.arrayContaining([expect.objectContaining({ strategy: 'keyword', keyword: 'badword', suggest: 'risky' })]),
    });
  });

  it('given a review word, suggests review; a risky word wins over a review word', () => {
    expect(msgSecCheck({ ...v2, content: 'maybe' }, words)).toMatchObject({ result: { suggest: 'review' } });
    expect(findWord('maybe badword', words)).toEqual({ word: 'badword', suggest: 'risky' });
  });

  it('given no openid, answers 40003 invalid openid', () => {
    expect(msgSecCheck({ version: 2, scene: 1, content: 'x' }, words)).toMatchObject({ errcode: 40003 });
    expect(msgSecCheck({ version: 2, scene: 1, content: 'x', openid: '' }, words)).toMatchObject({ errcode: 40003 });
  });

  it('given a scene outside 1..4, answers 40129 invalid scene', () => {
    for (const scene of [undefined, 0, 5, 'forum']) {
      expect(msgSecCheck({ ...v2, scene, content: 'x' }, words)).toMatchObject({ errcode: 40129 });
    }
  });

  it('given no content, answers 47001 data format error', () => {
    expect(msgSecCheck({ ...v2 }, words)).toMatchObject({ errcode: 47001 });
  });
});

describe('msgSecCheck without version (version 1)', () => {
  it('answers errcode 0 for clean text and 87014 risky content for a risky word', () => {
    expect(msgSecCheck({ content: 'hello' }, words)).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(msgSecCheck({ content: 'badword' }, words)).toMatchObject({ errcode: 87014, errmsg: expect.stringContaining('risky content') });
  });
});
