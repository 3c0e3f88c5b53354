/**
 * @jest-environment jsdom
 */
/// <reference path="../../runtime/vendor.d.ts" />
import jComponent from 'j-component/src/index.js';
import type { SourceReader } from '../../build/manifest';
import { prepareWxml } from '../../build/wxml';
import { scopeExpression } from '../../build/wxml-expressions';
import { templateDataExpression } from '../../build/wxml-templates';

function reader(files: Record<string, string>): SourceReader {
  return { readText: (path) => files[path] ?? null };
}

/** The text the preview's engine renders for `wxml` of `path` with `data`, lines joined by '|'. */
function render(wxml: string, data: Record<string, unknown>, files: Record<string, string> = {}, path = 'pages/a/index'): string {
  const prepared = prepareWxml(path, wxml, reader(files));
  expect(prepared.unsupported).toEqual([]);
  const root = jComponent.create(jComponent.register({ template: prepared.wxml, data }));
  if (!root) throw new Error('not registered');
  const parent = document.createElement('div');
  root.attach(parent);
  return [...parent.querySelectorAll('text')].map((node) => node.textContent?.trim()).join('|');
}

beforeAll(() => {
  // The one built-in the tests render: a text node's content (the preview's builtins are browser-side).
  jComponent.register({ id: 'text', tagName: 'text', template: '<slot />' });
});

const ROW = '<template name="row"><text>{{index}}:{{name}}:{{price}}</text></template>';

describe('<template is> data forms, scoped as WeChat scopes templates', () => {
  it('given data="{{...item}}" in a wx:for, then each row reads its item’s fields and nothing else of the page', () => {
    const text = render(`${ROW}<template wx:for="{{goods}}" wx:key="name" is="row" data="{{...item}}" />`, {
      goods: [
        { name: '苹果', price: 3 },
        { name: '梨', price: 4 },
      ],
      index: 'page-index',
    });
    // `index` is neither in the spread item nor passed: a template does not see the loop's or the page's.
    expect(text).toBe(':苹果:3|:梨:4');
  });

  it('given data="{{...item, index}}", then the row sees the item’s fields and the loop index', () => {
    const text = render(`${ROW}<block wx:for="{{goods}}"><template is="row" data="{{...item, index}}" /></block>`, {
      goods: [{ name: '苹果', price: 3 }, { name: '梨' }],
    });
    expect(text).toBe('0:苹果:3|1:梨:');
  });

  it('given data="{{a, b}}" and an object literal with keys, then later keys win as in an object literal', () => {
    expect(render(`${ROW}<template is="row" data="{{name, price}}" />`, { name: '橙', price: 5 })).toBe(':橙:5');
    expect(render(`${ROW}<template is="row" data="{{ name: label + '!', price: 1, index }}" />`, { label: '桃', index: 7 })).toBe(
      '7:桃!:1',
    );
    expect(render(`${ROW}<template is="row" data="{{ ...item, name: 'override' }}" />`, { item: { name: 'x', price: 2 } })).toBe(
      ':override:2',
    );
  });

  it('given no data, then the template sees nothing of the page', () => {
    expect(render(`${ROW}<template is="row" />`, { name: 'page', price: 1, index: 2 })).toBe('::');
  });

  it('given a wx:for inside the template, then its item is the loop’s and its list the data’s', () => {
    const text = render(
      '<template name="list"><text wx:for="{{tags}}" wx:for-item="tag">{{title}}-{{tag}}</text></template><template is="list" data="{{ ...card }}" />',
      { card: { title: 'T', tags: ['a', 'b'] }, tag: 'page-tag' },
    );
    expect(text).toBe('T-a|T-b');
  });

  it('given a template imported from another file with its WXS, then the body reaches that WXS module', () => {
    const files = {
      'common/template/icon.wxml':
        '<wxs src="../utils.wxs" module="_" />\n<template name="icon"><text>{{ _.cls(prefix, name) }}</text></template>',
      'common/utils.wxs': "module.exports = { cls: function (p, n) { return p + '-' + n; } };",
    };
    const text = render(
      '<import src="../../common/template/icon.wxml" /><template is="icon" data="{{ prefix: classPrefix, ...iconData }}" />',
      { classPrefix: 't-button', iconData: { name: 'add' } },
      files,
    );
    expect(text).toBe('t-button-add');
  });

  it('given a bound is="{{ kind }}", then the template named by the data renders', () => {
    const wxml =
      '<template name="a"><text>A {{v}}</text></template><template name="b"><text>B {{v}}</text></template><template is="{{kind}}" data="{{v}}" />';
    expect(render(wxml, { kind: 'b', v: 1 })).toBe('B 1');
    expect(render(wxml, { kind: 'a', v: 2 })).toBe('A 2');
  });

  it("given is=\"{{ cond ? 'list' : 'empty' }}\" with data on the next line (a shop cart), then the chosen template renders", () => {
    const wxml = [
      '<template name="list"><text>{{items.length}} 件 {{mode}}</text></template><template name="empty"><text>空 {{mode}}</text></template>',
      "<template is=\"{{cart.items.length > 0 ? 'list' : 'empty'}}\"",
      '  data="{{...cart, mode}}"></template>',
    ].join('\n');
    expect(render(wxml, { cart: { items: [1, 2] }, mode: '编辑' })).toBe('2 件 编辑');
    expect(render(wxml, { cart: { items: [] }, mode: '完成' })).toBe('空 完成');
  });

  it('given a template using another template, then each keeps its own scope', () => {
    const wxml =
      '<template name="inner"><text>{{label}}</text></template><template name="outer"><template is="inner" data="{{ label: title + count }}" /></template><template is="outer" data="{{ ...card }}" />';
    expect(render(wxml, { card: { title: 'n=', count: 3 }, title: 'page' })).toBe('n=3');
  });
});

describe('spread in an expression’s object literal', () => {
  it('given _.label({ ...item.badge, dot }) (TDesign’s tab bar), then the call receives the merged object', () => {
    const wxml =
      '<wxs module="_">module.exports = { label: function (o) { return o.count + "/" + o.dot; } };</wxs><text>{{ _.label({ ...badge, dot }) }}</text>';
    expect(render(wxml, { badge: { count: 3, dot: false }, dot: true })).toBe('3/true');
  });
});

describe('the use’s own attributes', () => {
  it('given wx:if on the use and a template from an imported file (vant’s picker toolbar), then the condition is read in the page', () => {
    const files = { 'pages/a/toolbar.wxml': '<template name="toolbar"><text wx:if="{{ showToolbar }}">{{ title }}</text></template>' };
    const wxml = '<import src="./toolbar.wxml" /><template is="toolbar" wx:if="{{ top }}" data="{{ title, showToolbar }}"></template>';
    expect(render(wxml, { top: true, title: '选择', showToolbar: true }, files)).toBe('选择');
    expect(render(wxml, { top: false, title: '选择', showToolbar: true }, files)).toBe('');
  });
});

describe('templates the preview cannot find', () => {
  it('names a use of a template neither defined nor imported, with its file', () => {
    const result = prepareWxml('pages/a/index', '<template is="gone" data="{{...item}}" />', reader({}));
    expect(result.unsupported).toEqual([
      'pages/a/index.wxml: <template is> of a template not defined or imported here (模板 renders nothing in the preview)',
    ]);
  });
});

describe('scopeExpression', () => {
  it('reads free names from the scope, leaving members, keys, strings, numbers, keywords and kept names', () => {
    expect(scopeExpression(" a.b + c[d] ? { k: e, f } : 'g h' + 1e3 + true + _.x(y) ", 's', new Set(['_']))).toBe(
      " s.a.b + s.c[s.d] ? { k: s.e, f: s.f } : 'g h' + 1e3 + true + _.x(s.y) ",
    );
  });
});

describe('templateDataExpression', () => {
  it('builds an object literal, or a merge when the data spreads', () => {
    expect(templateDataExpression(' a, b: x ')).toEqual({ expression: '{ a: a, b: x }', merges: false });
    expect(templateDataExpression('...item, index')).toEqual({
      expression: '__pvTemplateData.merge((item), { index: index })',
      merges: true,
    });
    expect(templateDataExpression(null)).toEqual({ expression: '{}', merges: false });
  });
});
