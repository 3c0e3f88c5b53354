import { nicknameStep } from '../../../miniprogram/presenters/nickname-edit';

const none = { saved: '', rejected: '' };

describe('nicknameStep', () => {
  it('a new value is saved on blur and on submit', () => {
    expect(nicknameStep('小明', none, 'blur')).toEqual({ kind: 'save' });
    expect(nicknameStep(' 小明 ', none, 'submit')).toEqual({ kind: 'save' });
  });

  it('the saved nickname (spaces aside) is unchanged', () => {
    expect(nicknameStep(' 小明', { saved: '小明', rejected: '' }, 'submit')).toEqual({ kind: 'unchanged' });
  });

  it('an empty field is an error on 保存 and nothing on blur', () => {
    expect(nicknameStep('  ', { saved: '小明', rejected: '' }, 'submit')).toEqual({ kind: 'empty' });
    expect(nicknameStep('', none, 'blur')).toEqual({ kind: 'ignore' });
  });

  it('the value just refused is not resent by leaving the field, but is by tapping 保存', () => {
    const state = { saved: '', rejected: '测试违规词' };
    expect(nicknameStep('测试违规词', state, 'blur')).toEqual({ kind: 'ignore' });
    expect(nicknameStep('测试违规词', state, 'submit')).toEqual({ kind: 'save' });
  });

  it('ignores what is not a string', () => {
    expect(nicknameStep(undefined, none, 'submit')).toEqual({ kind: 'ignore' });
  });
});
