/**
 * @jest-environment jsdom
 */
import { createRoot, patchEngine, registerComponent } from '../../runtime/engine';

describe('the engine, patched to behave as WeChat', () => {
  beforeAll(() => {
    patchEngine();
    registerComponent({ id: 'engine-test-text', tagName: 'text', template: '<slot />' });
  });

  it('answers null for selectComponent of an id nothing has (a page probing for an optional component)', () => {
    const id = registerComponent({ template: '<text id="here">x</text>', usingComponents: { text: 'engine-test-text' } });
    const root = createRoot(id);
    root.attach(document.createElement('div'));
    const select = root.instance['selectComponent'] as (selector: string) => unknown;
    expect(select('#absent')).toBeNull();
    expect(select('#here')).not.toBeNull();
  });

  it('renders a bound style that is not text instead of throwing', () => {
    const id = registerComponent({
      template: '<text style="{{ style }}">x</text>',
      usingComponents: { text: 'engine-test-text' },
      data: { style: ['a'] },
    });
    const parent = document.createElement('div');
    createRoot(id).attach(parent);
    expect(parent.textContent).toBe('x');
  });
});

describe('registering components', () => {
  beforeAll(() => {
    patchEngine();
    for (const tag of ['view', 'text']) registerComponent({ id: tag, tagName: tag, template: '<slot />' });
  });

  it('given a tree node that renders its children with itself, then the recursion renders as in WeChat', () => {
    registerComponent({
      id: 'engine-tree-node',
      tagName: 'tree-node',
      template: '<text>{{node.name}}</text><tree-node wx:for="{{node.children}}" wx:key="name" node="{{item}}" />',
      usingComponents: { 'tree-node': 'engine-tree-node' },
      properties: { node: { type: Object, value: { name: '', children: [] } } },
    });
    registerComponent({
      id: 'engine-tree-page',
      tagName: 'engine-tree-page',
      template: '<tree-node node="{{root}}" />',
      usingComponents: { 'tree-node': 'engine-tree-node' },
      data: { root: { name: '根', children: [{ name: '枝', children: [{ name: '叶', children: [] }] }] } },
    });

    const root = createRoot('engine-tree-page');
    root.attach(document.createElement('div'));
    expect(root.dom?.textContent).toBe('根枝叶');
  });

  it('given a style binding that is not a string (a WXS helper returning a number), then the element renders without it', () => {
    registerComponent({
      id: 'engine-style-page',
      tagName: 'engine-style-page',
      template: '<view class="a" style="{{ empty }}">空</view><view class="b" style="{{ width }}">宽</view>',
      data: { empty: null, width: 5 },
    });
    const root = createRoot('engine-style-page');
    root.attach(document.createElement('div'));
    expect(root.dom?.textContent).toBe('空宽');
  });
});
