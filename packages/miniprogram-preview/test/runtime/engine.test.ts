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
